from accounts.models import Township, Village

OFFICIAL_TOWNSHIPS = {
    "450328100": "龙胜镇",
    "450328101": "瓢里镇",
    "450328102": "三门镇",
    "450328103": "龙脊镇",
    "450328104": "平等镇",
    "450328105": "乐江镇",
    "450328201": "泗水乡",
    "450328202": "江底乡",
    "450328203": "马堤乡",
    "450328204": "伟江乡",
}


def test_the_ten_townships_with_their_nbs_codes(db):
    assert dict(Township.objects.values_list("code", "name")) == OFFICIAL_TOWNSHIPS


def test_official_villages_are_loaded_and_keyed_by_township(db):
    assert {"山东村", "南门村", "城南社区"} <= set(
        Village.objects.filter(township__name="龙胜镇").values_list("name", flat=True)
    )
    # 地灵村 exists in two townships: two different villages.
    assert Village.objects.filter(name="地灵村").count() == 2
    assert Village.objects.filter(township__name="三门镇").count() == 14
    for village in Village.objects.select_related("township"):
        assert village.code.startswith(village.township.code) and len(village.code) == 12
