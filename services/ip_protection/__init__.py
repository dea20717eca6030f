"""IP protection (知识产权保护): trademarks and geographical-indication marks (埔田竹笋, 东寮芋), their authorised users, and infringement reports that become enforcement cases."""
