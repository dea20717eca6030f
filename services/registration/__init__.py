"""Registration (登记注册): market entities (统一社会信用代码), deregistration, the abnormal-operations list (经营异常名录), the serious-violation list (严重违法失信名单) and each entity's credit record."""
