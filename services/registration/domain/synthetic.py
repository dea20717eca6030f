"""A synthetic register of Jiedong district (揭阳市揭东区) for the demo and the benchmarks. Pure
Python, deterministic (one ``random.Random`` per call, seeded), no I/O.

The default mix is the district's at the end of 2020, from its plan (DOMAIN.md, "Facts from the
district's plan"): 53,453 market entities (市场主体) = 7,513 enterprises (企业) + 210 farmers'
cooperatives (农民专业合作社) + 45,730 individual businesses (个体工商户).

Each entity is the request body of the registration service's ``POST /entities``: its unified
social credit code is a valid R-USCC code from :func:`shared.law.uscc.generate` (all distinct), and
its legal representative's resident ID number has a correct GB 11643 check digit. Names, people,
villages and roads are invented; only the towns are the district's (see :data:`TOWNS`).
"""
from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence, TypeVar

from shared.law.disclosure import resident_id_check_digit
from shared.law.uscc import SERIAL_LIMIT, EntityCategory, generate

__all__ = [
    "ENTERPRISES_2020",
    "COOPERATIVES_2020",
    "INDIVIDUAL_BUSINESSES_2020",
    "MARKET_ENTITIES_2020",
    "DISTRICT_MIX",
    "SECTORS",
    "TOWNS",
    "MAX_NAME_LENGTH",
    "count",
    "synthetic_register",
]

#: The district's plan: enterprises (企业) at the end of 2020.
ENTERPRISES_2020 = 7_513
#: The district's plan: farmers' cooperatives (农民专业合作社) at the end of 2020.
COOPERATIVES_2020 = 210
#: The district's plan: individual businesses (个体工商户) at the end of 2020.
INDIVIDUAL_BUSINESSES_2020 = 45_730
#: The district's plan: market entities (市场主体) at the end of 2020, the sum of the three.
MARKET_ENTITIES_2020 = 53_453
assert ENTERPRISES_2020 + COOPERATIVES_2020 + INDIVIDUAL_BUSINESSES_2020 == MARKET_ENTITIES_2020

#: The default mix, keyed by :func:`synthetic_register`'s keyword arguments.
DISTRICT_MIX: Mapping[str, int] = MappingProxyType({
    "enterprises": ENTERPRISES_2020,
    "cooperatives": COOPERATIVES_2020,
    "individual_businesses": INDIVIDUAL_BUSINESSES_2020,
})
_CATEGORY_OF = {
    "enterprises": EntityCategory.ENTERPRISE,
    "cooperatives": EntityCategory.COOPERATIVE,
    "individual_businesses": EntityCategory.INDIVIDUAL_BUSINESS,
}

#: The sector vocabulary of ``sector`` (the inspection items of I-DRAW filter on it).
SECTORS: tuple[str, ...] = (
    "food_production", "food_sales", "catering", "agriculture", "manufacturing", "retail",
    "wholesale", "special_equipment", "services", "construction_materials", "textiles",
    "plastics_hardware",
)

#: Upper bound on a generated name's length (characters).
MAX_NAME_LENGTH = 60

_T = TypeVar("_T")


class _Weighted:
    """A weighted choice, precomputed: one ``random()`` and one bisection per pick."""
    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[_T, float]]):
        self.items = tuple(item for item, _ in pairs)
        cum, total = [], 0.0
        for _, weight in pairs:
            total += weight
            cum.append(total)
        self.cum, self.total = tuple(cum), total

    def pick(self, rnd) -> _T:
        return self.items[bisect_right(self.cum, rnd() * self.total)]


# --- places ---------------------------------------------------------------------------------------

#: Towns (镇) and subdistricts (街道) of Jiedong district with a weight for where entities sit
#: (the urban subdistricts hold more). For synthetic data only: some of these have been reassigned
#: between Jieyang's districts over the years, and the weights are guesses, not statistics.
TOWNS: tuple[str, ...] = (
    "曲溪街道", "磐东街道", "云路镇", "玉窖镇", "锡场镇", "新亨镇", "玉湖镇", "埔田镇", "霖磐镇",
    "月城镇", "白塔镇", "龙尾镇", "桂岭镇",
)
_TOWN_WEIGHTS = (15, 12, 8, 6, 8, 8, 6, 7, 6, 6, 6, 5, 4)
_TOWN = _Weighted(list(zip(TOWNS, _TOWN_WEIGHTS)))
# Cooperatives are rural: no weight on the two subdistricts.
_RURAL_TOWN = _Weighted([(t, 0 if t.endswith("街道") else w) for t, w in zip(TOWNS, _TOWN_WEIGHTS)])

# Invented village (村委会) and community (社区) names, roads and spots.
_VILLAGES = ("新圩", "车田", "下寨", "东湖", "西岭", "南山", "北洋", "新楼", "上厝", "老寨", "径头",
             "石头", "大湖", "美东", "溪头", "塘边", "后洋", "林厝", "赤岭", "坑尾", "玉步", "仙美",
             "长美", "京岗", "桥头", "三洲", "龙埔", "凤湖", "高美", "溪南", "田东", "新寮")
_COMMUNITIES = ("金溪", "华美", "龙山", "东兴", "新城", "河滨", "宝山", "丰美", "桃源", "锦绣",
                "湖滨", "仙桥", "鸿发", "泰和")
_ROADS = ("揭东大道", "金湖路", "东兴路", "中山路", "环市北路", "站前路", "华侨路", "创业路", "工业大道",
          "新河路", "府前路", "人民路", "开发区二路", "德兴路")
_SPOTS = ("大路口", "新村路", "市场路", "老寨前", "中心街", "工业区", "后巷", "新厝片", "池墘路",
          "公路边", "祠堂前", "溪边路")
_FACTORY_SPOTS = ("工业区", "工业区", "工业园", "公路边", "新厝片")


def _address(rnd, randrange, town: str, *, factory: bool) -> str:
    number = randrange(1, 200)
    if town.endswith("街道"):
        return (f"广东省揭阳市揭东区{town}{_COMMUNITIES[randrange(len(_COMMUNITIES))]}社区"
                f"{_ROADS[randrange(len(_ROADS))]}{number}号")
    spots = _FACTORY_SPOTS if factory and rnd() < 0.6 else _SPOTS
    return (f"广东省揭阳市揭东区{town}{_VILLAGES[randrange(len(_VILLAGES))]}村委会"
            f"{spots[randrange(len(spots))]}{number}号")


# --- trades ---------------------------------------------------------------------------------------

# Per sector: (industry word, product word, shop word, business scope). An enterprise is named
# "…{字号}{product}有限公司" or "…{字号}{industry}实业有限公司"; an individual business
# "揭东区{town}{trade name}{shop}".
_TRADES: Mapping[str, tuple[tuple[str, str, str, str], ...]] = {
    "food_production": (
        ("食品", "食品", "食品加工场", "食品生产；食品销售"),
        ("食品", "腌制食品", "咸菜加工场", "蔬菜腌制品（菜脯、咸菜）生产、销售"),
        ("食品", "粿品食品", "粿品店", "糕点、粿品制作、销售"),
        ("茶业", "茶叶加工", "茶叶加工场", "茶叶加工、销售"),
        ("饮料", "饮料", "饮料加工场", "饮料生产、销售"),
    ),
    "food_sales": (
        ("商贸", "食品贸易", "食杂店", "预包装食品、散装食品零售"),
        ("粮油", "粮油贸易", "粮油店", "粮油、副食品销售"),
        ("茶业", "茶叶贸易", "茶叶店", "茶叶、茶具销售"),
        ("果蔬", "果蔬贸易", "水果店", "新鲜水果、蔬菜零售"),
        ("肉类", "肉类贸易", "猪肉档", "鲜肉、冷鲜肉销售"),
    ),
    "catering": (
        ("餐饮", "餐饮管理", "饭店", "餐饮服务（制售热食类食品）"),
        ("餐饮", "餐饮服务", "大排档", "餐饮服务（制售热食类食品）"),
        ("餐饮", "酒楼", "粿条店", "小型餐饮服务（粿条、粥品制售）"),
        ("餐饮", "牛肉火锅", "牛肉丸店", "小型餐饮服务（牛肉丸、汤粉制售）"),
        ("饮品", "饮品", "奶茶店", "饮品制售"),
    ),
    "agriculture": (
        ("农业", "农业发展", "农场", "蔬菜、水果、竹笋种植、销售"),
        ("生态农业", "生态农业", "种养场", "农作物种植；家禽饲养"),
        ("养殖", "养殖", "养殖场", "家禽、生猪养殖及销售"),
        ("农业", "种苗", "苗圃", "花卉苗木种植、销售"),
    ),
    "manufacturing": (
        ("机械", "机械制造", "机械加工店", "通用机械设备制造、加工"),
        ("鞋业", "鞋业", "鞋材加工场", "鞋及鞋材制造、销售"),
        ("电器", "电器", "电器加工场", "家用电器及配件制造、销售"),
        ("包装", "包装材料", "包装加工场", "纸制品、包装材料生产、销售"),
        ("工艺", "玉器工艺", "玉器加工店", "玉器、工艺品加工、销售"),
    ),
    "retail": (
        ("商贸", "商贸", "商店", "日用百货零售"),
        ("百货", "百货", "百货店", "日用百货、文具零售"),
        ("服饰", "服饰", "服装店", "服装、鞋帽零售"),
        ("通讯", "通讯器材", "手机店", "手机及通讯器材零售、维修"),
        ("农资", "农资", "农资店", "化肥、农药（不含危险化学品）、种子零售"),
        ("商贸", "烟酒", "烟酒店", "预包装食品、卷烟零售"),
    ),
    "wholesale": (
        ("贸易", "贸易", "批发部", "日用品、五金交电批发"),
        ("商贸", "供应链", "商行", "食品、日用品批发"),
        ("物资", "物资", "物资经营部", "金属材料、化工原料（不含危险化学品）批发"),
    ),
    "special_equipment": (
        ("机电", "电梯工程", "电梯维修部", "电梯安装、改造、维修"),
        ("机电", "锅炉设备", "锅炉维修部", "锅炉、压力容器销售、维修"),
        ("机械", "起重设备", "叉车维修部", "场（厂）内专用机动车辆销售、维修"),
    ),
    "services": (
        ("文化", "广告", "打印店", "广告设计、图文打印复印"),
        ("汽车", "汽车服务", "汽车修理店", "机动车维修、汽车美容"),
        ("美容", "美容美发", "理发店", "理发、美容服务"),
        ("物流", "物流", "货运部", "普通货物道路运输、仓储（不含危险品）"),
        ("家政", "家政服务", "家政服务部", "家政服务、保洁服务"),
    ),
    "construction_materials": (
        ("建材", "建材", "建材店", "建筑材料、装饰材料销售"),
        ("陶瓷", "陶瓷", "瓷砖店", "陶瓷制品、卫浴洁具销售"),
        ("建材", "水泥制品", "水泥制品场", "水泥制品、砖瓦生产、销售"),
        ("石材", "石材", "石材加工场", "石材加工、销售"),
    ),
    "textiles": (
        ("纺织", "纺织", "布行", "纺织品、面料销售"),
        ("服装", "服装", "制衣店", "服装加工、销售"),
        ("针织", "针织", "针织加工场", "针织品织造、销售"),
    ),
    "plastics_hardware": (
        ("五金", "五金制品", "五金店", "五金制品、不锈钢制品生产、销售"),
        ("塑料", "塑料制品", "塑料制品店", "塑料制品、日用塑料品生产、销售"),
        ("不锈钢", "不锈钢制品", "不锈钢制品店", "不锈钢厨具、餐具生产、销售"),
        ("金属", "金属制品", "五金加工店", "金属制品加工、销售"),
    ),
}
assert tuple(_TRADES) == SECTORS

# Sector weights per category: a hardware-and-plastics manufacturing district; shops and food for
# individual businesses; farming for cooperatives. Guesses for synthetic data, not statistics.
_SECTOR = {
    EntityCategory.ENTERPRISE: _Weighted([
        ("manufacturing", 18), ("plastics_hardware", 20), ("wholesale", 14), ("food_production", 9),
        ("textiles", 7), ("construction_materials", 7), ("services", 9), ("retail", 6),
        ("special_equipment", 3), ("catering", 2), ("food_sales", 3), ("agriculture", 2)]),
    EntityCategory.INDIVIDUAL_BUSINESS: _Weighted([
        ("retail", 27), ("catering", 18), ("food_sales", 18), ("services", 17), ("wholesale", 4),
        ("food_production", 4), ("manufacturing", 2), ("plastics_hardware", 4), ("textiles", 2),
        ("construction_materials", 3), ("agriculture", 1)]),
    EntityCategory.COOPERATIVE: _Weighted([("agriculture", 94), ("food_production", 6)]),
}

# An enterprise's form of name: product + 有限公司 mostly, sometimes industry + 实业/发展有限公司.
_COMPANY_FORM = _Weighted([("product", 78), ("实业有限公司", 14), ("发展有限公司", 8)])
_COMPANY_PREFIX = _Weighted([("揭阳市揭东区", 60), ("揭阳市", 32), ("广东", 8)])

# Trade names (字号): two characters, one from each list; every pair reads as a plausible 字号.
_ZIHAO_1 = "锦宏鑫荣华金永恒泰富隆佳嘉宝顺德新祥瑞和安广粤创明正通兴联汇"
_ZIHAO_2 = "泰达源发兴盛利丰昌美华宝顺信联祥瑞和安通成隆辉宏鑫"
_ZIHAO = tuple(a + b for a in _ZIHAO_1 for b in _ZIHAO_2 if a != b)

# Cooperatives: (product, activity, sector, business scope).
_COOP_PRODUCTS = _Weighted([
    (("竹笋", "种植", "agriculture", "组织成员种植、收购、销售竹笋，提供技术培训、信息服务"), 10),
    (("芋头", "种植", "agriculture", "组织成员种植、收购、销售芋头，提供技术培训、信息服务"), 6),
    (("蔬菜", "种植", "agriculture", "组织成员种植、销售蔬菜，提供农资采购、技术服务"), 14),
    (("水稻", "种植", "agriculture", "组织成员种植水稻，提供农机作业、技术服务"), 8),
    (("青梅", "种植", "agriculture", "组织成员种植、收购、销售青梅"), 6),
    (("荔枝", "种植", "agriculture", "组织成员种植、销售荔枝、龙眼"), 6),
    (("柑桔", "种植", "agriculture", "组织成员种植、销售柑桔"), 5),
    (("番石榴", "种植", "agriculture", "组织成员种植、销售番石榴"), 4),
    (("花卉苗木", "种植", "agriculture", "组织成员种植、销售花卉苗木"), 5),
    (("茶叶", "种植", "agriculture", "组织成员种植茶叶，收购、销售成员的茶叶"), 6),
    (("家禽", "养殖", "agriculture", "组织成员养殖、销售家禽，提供防疫技术服务"), 10),
    (("生猪", "养殖", "agriculture", "组织成员养殖、销售生猪，提供防疫技术服务"), 6),
    (("淡水鱼", "养殖", "agriculture", "组织成员养殖、销售淡水鱼"), 6),
    (("蜜蜂", "养殖", "agriculture", "组织成员养殖蜜蜂，收购、销售蜂产品"), 2),
])
_COOP_PROCESSING = (
    ("茶叶", "加工", "food_production", "组织成员加工、销售茶叶"),
    ("腌制菜", "加工", "food_production", "组织成员加工、销售菜脯、咸菜等腌制品"),
)
# 埔田竹笋, the district's first agricultural geographical-indication trademark (January 2019).
_PUTIAN_BAMBOO = ("竹笋", "种植", "agriculture", "组织成员种植、收购、销售埔田竹笋，提供技术培训、信息服务")

# --- people ---------------------------------------------------------------------------------------

# Common Chaoshan surnames, weighted (陈, 林, 黄 lead); given-name characters by gender.
_SURNAME = _Weighted([
    ("陈", 15), ("林", 10), ("黄", 8), ("李", 5), ("吴", 5), ("郑", 5), ("蔡", 5), ("许", 4),
    ("杨", 4), ("王", 3), ("张", 4), ("刘", 3), ("谢", 3), ("洪", 3), ("庄", 3), ("曾", 2),
    ("方", 2), ("詹", 2), ("卢", 2), ("周", 2), ("苏", 2), ("孙", 1), ("余", 1), ("魏", 1),
    ("姚", 1), ("彭", 1), ("丁", 1), ("柯", 1), ("纪", 1), ("翁", 1)])
_MALE = "伟强明华俊杰斌鹏辉浩锋雄坤泽彬涛鑫宇龙海金荣德文武东南炳镇锐树秋楚銮奕佳烁锦泳钦广"
_FEMALE = "丽娜敏婷燕芳玲娟静霞秀琴蓉洁妹婉纯佩怡晓雪丹萍凤珊琳慧莉贞惠"

# Resident ID address codes (GB 11643 digits 1-6) of the Jieyang region: 445221 is the former
# Jiedong county (揭东县, before 2012), still on the cards of people registered there.
_ID_REGION = _Weighted([("445221", 40), ("445203", 15), ("445202", 20), ("445222", 8),
                        ("445224", 7), ("445281", 10)])
_BORN_FROM = date(1955, 1, 1).toordinal()
_BORN_LAST_YEAR = 2002


def _resident_id(region: str, born: date, sequence: int) -> str:
    """GB 11643: address code, birth date, 3-digit sequence (odd for men), check digit."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_digit(body)


def _person(rnd, randrange, founded: date) -> dict:
    male = rnd() < 0.72
    chars = _MALE if male else _FEMALE
    given = chars[randrange(len(chars))]
    if rnd() < 0.75:
        given += chars[randrange(len(chars))]
    name = _SURNAME.pick(rnd) + given
    # Born 1955-2002, and at least 18 at the entity's establishment.
    last_year = min(_BORN_LAST_YEAR, founded.year - 18)
    born = date.fromordinal(_BORN_FROM + randrange(date(last_year, 12, 31).toordinal() - _BORN_FROM + 1))
    sequence = 2 * randrange(500) + (1 if male else 0)
    return {"name": name, "id_number": _resident_id(_ID_REGION.pick(rnd), born, sequence)}


# --- dates and amounts ----------------------------------------------------------------------------

_REGISTER_END = date(2020, 12, 31).toordinal()
# (first day, skew exponent): a draw u**k with k < 1 leans towards recent dates. Individual
# businesses turn over fastest, so skew most. Cooperatives exist only since the 农民专业合作社法
# took effect on 2007-07-01.
_FOUNDED = {
    EntityCategory.ENTERPRISE: (date(1995, 1, 1).toordinal(), 0.6),
    EntityCategory.INDIVIDUAL_BUSINESS: (date(1995, 1, 1).toordinal(), 0.4),
    EntityCategory.COOPERATIVE: (date(2007, 7, 1).toordinal(), 0.7),
}

# Registered capital in round amounts (yuan); 0 for an individual business that declared none.
_CAPITAL = {
    EntityCategory.ENTERPRISE: _Weighted([
        (100_000, 8), (200_000, 8), (300_000, 8), (500_000, 14), (800_000, 6), (1_000_000, 18),
        (1_500_000, 4), (2_000_000, 9), (3_000_000, 7), (5_000_000, 8), (8_000_000, 2),
        (10_000_000, 5), (20_000_000, 1.5), (30_000_000, 1), (50_000_000, 0.5)]),
    EntityCategory.COOPERATIVE: _Weighted([
        (50_000, 8), (100_000, 18), (200_000, 16), (300_000, 14), (500_000, 18), (800_000, 6),
        (1_000_000, 12), (1_500_000, 4), (2_000_000, 4)]),
    EntityCategory.INDIVIDUAL_BUSINESS: _Weighted([
        (0, 30), (10_000, 15), (20_000, 12), (30_000, 12), (50_000, 14), (80_000, 5),
        (100_000, 8), (150_000, 2), (200_000, 2)]),
}


# --- names ----------------------------------------------------------------------------------------

def _enterprise_name(rnd, randrange, trade: tuple[str, str, str, str]) -> str:
    industry, product, _, _ = trade
    form = _COMPANY_FORM.pick(rnd)
    body = product + "有限公司" if form == "product" else industry + form
    return _COMPANY_PREFIX.pick(rnd) + _ZIHAO[randrange(len(_ZIHAO))] + body


def _shop_trade_name(rnd, randrange, person: dict) -> str:
    """An individual business's 字号: 陈记, 锦泰, 阿强, 林坤 or a village name."""
    roll = rnd()
    if roll < 0.35:
        return _SURNAME.pick(rnd) + "记"
    if roll < 0.70:
        return _ZIHAO[randrange(len(_ZIHAO))]
    if roll < 0.80:
        return "阿" + person["name"][-1]
    if roll < 0.90:
        return person["name"][0] + person["name"][-1]
    return _VILLAGES[randrange(len(_VILLAGES))]


def _coop_name(rnd, randrange, town: str, product: tuple[str, str, str, str], attempt: int) -> str:
    # First the plain form (揭阳市揭东区埔田镇竹笋种植专业合作社); when taken, a village or a 字号.
    if attempt == 0:
        middle = ""
    elif rnd() < 0.5:
        middle = _VILLAGES[randrange(len(_VILLAGES))]
    else:
        middle = _ZIHAO[randrange(len(_ZIHAO))]
    return f"揭阳市揭东区{town}{middle}{product[0]}{product[1]}专业合作社"


def _unique(name: str, taken: set[str]) -> str:
    """``name`` made unique with a number (（2）, （3）, …) when random redraws did not suffice."""
    n = 2
    while f"{name}（{n}）" in taken:
        n += 1
    return f"{name}（{n}）"


_NAME_ATTEMPTS = 40


# --- the register ---------------------------------------------------------------------------------

def _counts(overrides: Mapping[str, object]) -> dict[str, int]:
    unknown = set(overrides) - set(DISTRICT_MIX)
    if unknown:
        raise TypeError(f"unknown entity counts {sorted(unknown)}; expected {sorted(DISTRICT_MIX)}")
    counts = {**DISTRICT_MIX, **overrides}
    for key, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key} must be a non-negative whole number, got {value!r}")
    if sum(counts.values()) > SERIAL_LIMIT:
        raise ValueError(f"at most {SERIAL_LIMIT} entities (distinct R-USCC serials)")
    return counts  # type: ignore[return-value]


def count(**overrides: int) -> int:
    """How many entities :func:`synthetic_register` yields with the same keyword arguments:
    53,453 by default (:data:`MARKET_ENTITIES_2020`)."""
    return sum(_counts(overrides).values())


def synthetic_register(seed: int = 2020, *, enterprises: int = ENTERPRISES_2020,
                       cooperatives: int = COOPERATIVES_2020,
                       individual_businesses: int = INDIVIDUAL_BUSINESSES_2020) -> Iterator[dict]:
    """Entities of a synthetic Jiedong register, each a ``POST /entities`` request body.

    The same ``seed`` and counts give the same entities in the same order; the three categories
    are interleaved at random (as a real register mixes them). Keys of each entity: ``uscc``,
    ``category``, ``name``, ``legal_representative`` (``name``, ``id_number``), ``address``,
    ``town``, ``sector`` (one of :data:`SECTORS`), ``established_on`` (ISO date, 1995-01-01 ..
    2020-12-31), ``registered_capital_yuan`` (int), ``business_scope``.

    Codes and names are unique within the register. Serials for :func:`shared.law.uscc.generate`
    are ``(a·i + b) mod 31**6`` for the i-th entity, with ``a`` not a multiple of 31 and both drawn
    from the seed: a bijection, so codes are distinct and look scattered, as real ones do.

    :raises ValueError: a negative count, or more entities than there are serials.
    """
    counts = _counts({"enterprises": enterprises, "cooperatives": cooperatives,
                      "individual_businesses": individual_businesses})
    rng = random.Random(seed)
    rnd, randrange = rng.random, rng.randrange
    order = [category for key, category in _CATEGORY_OF.items() for _ in range(counts[key])]
    rng.shuffle(order)
    stride = randrange(1, SERIAL_LIMIT)
    while stride % 31 == 0:  # a unit mod 31**6, so i -> stride·i + offset is a bijection
        stride = randrange(1, SERIAL_LIMIT)
    offset = randrange(SERIAL_LIMIT)
    taken: set[str] = set()

    for index, category in enumerate(order):
        first_day, skew = _FOUNDED[category]
        founded = date.fromordinal(first_day + int((_REGISTER_END - first_day + 1) * rnd() ** skew))
        person = _person(rnd, randrange, founded)

        if category is EntityCategory.COOPERATIVE:
            town = _RURAL_TOWN.pick(rnd)
            if town == "埔田镇" and rnd() < 0.5:
                product = _PUTIAN_BAMBOO
            elif _SECTOR[category].pick(rnd) == "food_production":
                product = _COOP_PROCESSING[randrange(len(_COOP_PROCESSING))]
            else:
                product = _COOP_PRODUCTS.pick(rnd)
            sector, scope = product[2], product[3]
            for attempt in range(_NAME_ATTEMPTS):
                name = _coop_name(rnd, randrange, town, product, attempt)
                if name not in taken:
                    break
            else:
                name = _unique(name, taken)
            factory = False
        else:
            town = _TOWN.pick(rnd)
            sector = _SECTOR[category].pick(rnd)
            trades = _TRADES[sector]
            trade = trades[randrange(len(trades))]
            scope = trade[3]
            for _ in range(_NAME_ATTEMPTS):
                if category is EntityCategory.ENTERPRISE:
                    name = _enterprise_name(rnd, randrange, trade)
                else:
                    name = f"揭东区{town}{_shop_trade_name(rnd, randrange, person)}{trade[2]}"
                if name not in taken:
                    break
            else:
                name = _unique(name, taken)
            factory = category is EntityCategory.ENTERPRISE and sector in (
                "manufacturing", "plastics_hardware", "food_production", "textiles", "construction_materials")
        taken.add(name)

        yield {
            "uscc": generate(category, (stride * index + offset) % SERIAL_LIMIT),
            "category": category.value,
            "name": name,
            "legal_representative": person,
            "address": _address(rnd, randrange, town, factory=factory),
            "town": town,
            "sector": sector,
            "established_on": founded.isoformat(),
            "registered_capital_yuan": _CAPITAL[category].pick(rnd),
            "business_scope": scope,
        }
