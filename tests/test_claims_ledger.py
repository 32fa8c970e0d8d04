"""The claims ledger: recording on import and save, keeping the desk's decisions, support,
the two checks, the .json round trip and restores (digests/claims, docs/claims.md)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from digests import edition, exporting, history, importing, search, workflow
from digests.briefing import BriefingError, from_dict, parse_text
from digests.claims import checks, ledger
from digests.models import Claim, Digest, Item
from tests import factories

# The reference sample (the Done-when day), copied: tests never read ../shared.
SAMPLE_TEXT = """每日科技新闻速览(2026-02-02)
AI技术动态
AI技术-多模态生成式AI进入自然交互阶段
生成式AI将突破单一模态限制,实现文本、图像、音频、视频、3D模型的无缝融合与实时交互。例如,用户可通过语音描述生成完整视频,或根据草图自动生成交互式3D场景。模型将具备更强的“场景理解”能力,结合物理规律(如运动学、因果关系)生成符合现实逻辑的内容。代表技术包括融合视觉-语言-动作的“具身智能”模型和实时渲染技术的结合。
来源:权宁霞。
AI技术-大模型轻量化与边缘部署普及
2026年,模型压缩技术(量化、剪枝、知识蒸馏)将进一步成熟,轻量化模型(亿级或千万级参数)可在边缘设备本地运行,实现低延迟、高隐私的数据处理(如本地语音翻译、智能家居实时决策)。针对边缘场景的专用AI芯片(TPU、NPU)与优化框架(如TensorFlow Lite 4.0)将降低部署门槛,推动AI在消费电子、工业传感器等领域的“端侧化”。
来源:权宁霞。
AI技术-行业垂直应用规模化落地
AI将在医疗、制造、金融等领域实现规模化应用:医疗领域,AI辅助手术机器人结合实时影像识别与触觉反馈,个性化癌症治疗方案基于多组学数据生成;制造领域,预测性维护通过设备传感器数据实时预警故障,柔性生产调度动态适配订单波动;金融领域,反欺诈系统融合行为生物特征与交易图谱,智能投顾结合用户情绪与市场动态。垂直领域的“数据闭环”与“场景化模型”是落地关键。
来源:权宁霞。
AI技术-中国AI产业规模突破1.2万亿元
中国人工智能企业数量超过6000家,核心产业规模预计突破1.2万亿元,同比增长近30%;国产开源大模型全球累计下载量突破100亿次,中国成为AI专利最大拥有国。雄安新区发布“极数”数据大模型(LimiX),专攻结构化数据处理;可灵AI推出3.0系列模型,性能再升级;中国在具身智能(机器人、无人机)领域已取得全球主导优势。
来源:辉和辉的AI学习
AI技术-启明星辰聚焦“AI+安全”四大领域
启明星辰2026年将构建三条增长曲线,第二曲线聚焦“AI+”、数据安全、“零信任+”及安全评测四大技术领域,依托中国移动协同优势探索“大网”视角综合安全解决方案。该战略旨在推动AI技术在网络安全场景的深度落地,提升智能防御能力。
来源:网易手机网
前沿科技突破
生物医药-AI驱动新药研发进入疗效验证阶段
生成式AI制药从“技术验证”转向“疗效验证”,英矽智能与施维雅达成8.88亿美元抗肿瘤AI药物合作,剂泰科技、德睿智药的AI辅助设计药物推进至III期临床。AI平台涵盖靶点发现、分子生成、临床试验设计全流程,端到端系统缩短研发周期50%以上。
来源:全球技术地图
生物医药-体内基因编辑疗法进入个性化时代
针对罕见遗传病的个体化CRISPR疗法启动临床试验,体内基因编辑无需细胞提取,通过AAV病毒或LNP递送载体实现单剂量治愈。 Beam Therapeutics碱基编辑技术、Intellia Therapeutics体内CRISPR疗法获ARK Invest增持,国内正序生物加速推进商业化进程。
来源:全球技术地图
空天探索-NASA火星车实现全AI自主驾驶
NASA Perseverance火星车完成首次全AI规划驾驶,标志着AI自主决策技术正式应用于深空探测。火星车可独立分析地形、规划路径并规避障碍,无需地面指令实时干预,探测效率提升300%。
来源:辉和辉的AI学习
6G通信-太赫兹通信速率达100Gbps
华为、中兴联合清华大学研发的“太赫兹通信”技术实现100Gbps传输速率(5G的10倍),传输距离达1公里;中国电信与中国卫通合作在青藏高原实现卫星-地面基站协同通信,覆盖半径500公里,为6G空天地一体化网络奠定基础。
来源:鼎鉴乾坤
政策与资本动向
政策-北京亦庄发布全球机遇清单
北京经开区发布2026年全球机遇清单,开放信息技术、生物健康等六大领域25个创新应用场景,提供83个高能级创新空间(近500万平方米),打造超万亿元母基金集群。重点支持AI、机器人、商业航天等产业,推动“机器人本体+AI大脑”等场景落地。
来源:北京市人民政府
资本-生物合成赛道获政策重点扶持
生物合成被列为新质生产力关键抓手,2026年从实验室走向产业化。政策支持AI设计生物细胞生产药品、材料,国内企业在PLA材料、PEEK材料实现突破并量产,相关项目获红杉、高瓴等资本加注。
来源:屋顶仰望流星雨
其他领域
商业航天-可回收火箭发射成本降至2万美元/公斤
蓝箭航天“朱雀三号”火箭实现10次回收全成功,发射成本从6万美元/公斤降至2万美元;2026年全球商业火箭发射120次,中国占30次,星际荣耀年发射15次,营收增长2倍。
来源:鼎鉴乾坤
绿色能源-绿氢成本低于灰氢
中国绿氢成本降至1美元/公斤(灰氢1.2美元),隆基绿能在内蒙古建设5GW光伏制氢项目,年产10万吨绿氢,可满足200万辆氢能重卡需求;液流电池储能电站度电成本0.5元,存电时长超8小时。
来源:鼎鉴乾坤
# 深度解析
深度解析:中国AI领跑全球的核心驱动力
背景:中国AI产业通过“开源创新+场景落地”实现弯道超车,国产大模型下载量破百亿,专利数量全球第一,在具身智能、行业应用等领域形成差异化优势。
数据支撑:核心产业规模1.2万亿元(同比增长30%),企业数量超6000家,AI相关产品贸易出口领先全球。
影响范围:雄安“极数”大模型提升政务数据处理效率50%,可灵AI 3.0推动金融、医疗场景智能化,具身智能技术赋能工业机器人,生产效率提升28%。
趋势总结
- AI多模态交互与边缘部署普及:从实验室走向消费电子、工业传感器等端侧场景,轻量化模型推动“AI民主化”。
- 生物医药智能化加速:生成式AI与基因编辑结合,新药研发周期缩短50%,个性化疗法进入临床验证阶段。
- 空天与6G技术突破:火星车全AI驾驶验证深空探测能力,太赫兹通信为6G商用奠定基础。
今日核心趋势总结:AI技术从“工具”向“自主智能体”进化,生物医药与空天科技成为新质生产力核心抓手,建议关注具身智能机器人与AI制药的产业化应用。"""  # noqa: E501


def import_sample(date=None):
    briefing = parse_text(SAMPLE_TEXT)
    if date is not None:
        briefing.date = date
    return importing.import_briefing(briefing)


def claim_of(digest, text, **where):
    return Claim.objects.get(digest=digest, text=text, **where)


@pytest.fixture
def day(db):
    return import_sample()


def test_the_sample_imported_records_its_numbers(day):
    size = claim_of(day, "突破1.2万亿元", block=Claim.Block.ITEM, part=0)
    assert (size.value, size.unit) == (Decimal("1200000000000"), "元")
    assert size.item.title == "中国AI产业规模突破1.2万亿元"
    firms = claim_of(day, "超过6000家")
    assert (firms.value, firms.unit, firms.bound) == (6000, "家", "over")
    deal = claim_of(day, "8.88亿美元")
    assert (deal.value, deal.unit) == (888000000, "美元")
    assert claim_of(day, "达100Gbps", part=0).unit == "Gbps"
    # Years and model names are not claims; every stored claim is its text's slice.
    assert not Claim.objects.filter(digest=day, text__startswith="2026").exists()
    assert not Claim.objects.filter(digest=day, text__contains="3.0").exists()
    for claim in Claim.objects.filter(digest=day, block=Claim.Block.ITEM).select_related("item"):
        text = claim.item.body if claim.part else claim.item.title
        assert text[claim.start : claim.end] == claim.text
    analysis = Claim.objects.filter(digest=day, block=Claim.Block.ANALYSIS)
    assert {"1.2万亿元", "30%", "超6000家", "50%", "28%"} <= {c.text for c in analysis}


def test_the_analysis_numbers_are_linked_to_the_items_reporting_them(day):
    size = claim_of(day, "1.2万亿元", block=Claim.Block.ANALYSIS)
    assert [item.title for item in size.supported_by.all()] == ["中国AI产业规模突破1.2万亿元"]
    firms = claim_of(day, "超6000家", block=Claim.Block.ANALYSIS)
    assert [item.title for item in firms.supported_by.all()] == ["中国AI产业规模突破1.2万亿元"]
    efficiency = claim_of(day, "50%", block=Claim.Block.ANALYSIS)
    assert not efficiency.supported_by.exists()
    # The trends' 研发周期缩短50% is the drug-discovery item's, not the analysis' 50%.
    cycle = claim_of(day, "50%", block=Claim.Block.TRENDS)
    assert [item.topic for item in cycle.supported_by.all()] == ["生物医药"]


def test_the_check_flags_exactly_the_two_unsupported_analysis_numbers(day):
    with translation.override("en"):
        digest = Digest.objects.with_contents().get(pk=day.pk)
        problems = checks.analysis_numbers_supported(digest)
        analysis = [p for p in problems if p.startswith("analysis")]
        assert len(analysis) == len(problems) == 2, problems  # the trends' numbers all hold
        assert "数据处理效率" in analysis[0] and "“50%”" in analysis[0]
        assert analysis[0].startswith("analysis, 影响范围:")
        assert "“28%”" in analysis[1]
        # The import preview says the same, computed from the text alone.
        preview = edition.briefing_edition(parse_text(SAMPLE_TEXT))
        assert checks.analysis_numbers_supported(preview) == problems


def test_a_dismissed_analysis_number_is_no_longer_flagged(day):
    Claim.objects.filter(digest=day, block=Claim.Block.ANALYSIS, text="28%").update(
        status=Claim.Status.DISMISSED
    )
    problems = checks.analysis_numbers_supported(Digest.objects.with_contents().get(pk=day.pk))
    assert not [p for p in problems if "28%" in p]
    assert [p for p in problems if "50%" in p]


def test_the_desks_decisions_survive_a_resave_while_their_text_is_unchanged(day):
    firms = claim_of(day, "超过6000家")
    firms.status, firms.value = Claim.Status.CORRECTED, Decimal(6001)
    firms.save()
    deal = claim_of(day, "8.88亿美元")
    deal.status = Claim.Status.DISMISSED
    deal.save()
    search.reindex_digest(day)  # what every save, import or restore goes through
    assert claim_of(day, "超过6000家").value == 6001
    assert claim_of(day, "超过6000家").status == Claim.Status.CORRECTED
    assert claim_of(day, "8.88亿美元").status == Claim.Status.DISMISSED
    # The text changes at that place: the number is found afresh.
    item = Item.objects.get(pk=deal.item_id)
    item.body = item.body.replace("8.88亿美元", "9亿美元")
    item.save()
    search.reindex_digest(day)
    assert not Claim.objects.filter(digest=day, text="8.88亿美元").exists()
    assert claim_of(day, "9亿美元").status == Claim.Status.FOUND


def test_recording_costs_the_same_queries_for_few_or_many_items(db):
    def queries(n):
        digest = factories.full_digest(items=n)
        for item in digest.items.all():
            item.body = "企业数量超过6000家,规模达到1.2万亿元。"
            item.save()
        with CaptureQueriesContext(connection) as captured:
            ledger.record([digest.pk])
        return len(captured)

    # items, analysis titles, paragraphs, trend summaries, points, kept claims,
    # the delete (claims, then their links), the claims' insert and the links' insert.
    assert queries(2) == queries(12)
    assert Claim.objects.filter(text="超过6000家").count() == 14


def test_recording_is_atomic_with_the_save(day, monkeypatch):
    def broken(pks):
        raise RuntimeError("the ledger failed")

    before = Claim.objects.filter(digest=day).count()
    monkeypatch.setattr(ledger, "record", broken)
    briefing = parse_text(SAMPLE_TEXT)
    with pytest.raises(RuntimeError):
        importing.import_briefing(briefing, replace=True)
    assert Claim.objects.filter(digest=day).count() == before
    assert Digest.objects.get(pk=day.pk).version == day.version


def test_the_json_round_trip_keeps_corrections_and_dismissals(day):
    firms = claim_of(day, "超过6000家")
    firms.status, firms.value, firms.measure = Claim.Status.CORRECTED, 6100, "AI企业数量"
    firms.save()
    Claim.objects.filter(digest=day, text="8.88亿美元").update(status=Claim.Status.DISMISSED)
    data = json.loads(
        exporting.export_digest(Digest.objects.with_contents().get(pk=day.pk), "json")
    )
    items = [item for section in data["sections"] for item in section["items"]]
    listed = {c["text"]: c for item in items for c in item["claims"]}
    assert "8.88亿美元" not in listed
    assert listed["超过6000家"]["value"] == 6100
    assert listed["突破1.2万亿元"] == {
        "text": "突破1.2万亿元",
        "value": 1200000000000,
        "unit": "元",
        "bound": "reach",
        "high": None,
        "measure": "核心产业规模",
    }
    data["date"] = "2026-02-03"
    copy = importing.import_briefing(from_dict(data))
    again = claim_of(copy, "超过6000家")
    assert (again.status, again.value, again.measure) == (
        Claim.Status.CORRECTED,
        6100,
        "AI企业数量",
    )
    assert claim_of(copy, "8.88亿美元").status == Claim.Status.DISMISSED
    assert claim_of(copy, "突破1.2万亿元", block=Claim.Block.ITEM, part=0).status == "found"
    # A JSON without claims lists takes every number as found.
    for item in items:
        del item["claims"]
    data["date"] = "2026-02-04"
    plain = importing.import_briefing(from_dict(data))
    assert not Claim.objects.filter(digest=plain).exclude(status="found").exists()


@pytest.mark.parametrize(
    "claims, path, message",
    [
        ("many", "claims", "expected a list"),
        ([{"text": "6000家", "value": "6000"}], "claims[0].value", "expected a number"),
        ([{"text": "6000家", "value": True}], "claims[0].value", "expected a number"),
        ([{"text": "6000家", "value": 1e30}], "claims[0].value", "too large"),
        ([{"text": "", "value": 1}], "claims[0].text", "1 to 100"),
        ([{"text": "6000家", "value": 1, "bound": "maybe"}], "claims[0].bound", "one of"),
        ([{"text": "6000家", "value": 1, "unit": "家" * 31}], "claims[0].unit", "at most 30"),
    ],
)
def test_bad_claims_in_a_json_briefing_say_where_and_what(claims, path, message):
    data = parse_text(SAMPLE_TEXT).to_dict()
    data["sections"][0]["items"][0]["claims"] = claims
    with translation.override("en"), pytest.raises(BriefingError) as error:
        from_dict(data)
    assert str(error.value).startswith(f"sections[0].items[0].{path}:")
    assert message in str(error.value)


def test_a_restore_keeps_the_desks_decisions_on_unchanged_text(day, editor):
    firms = claim_of(day, "超过6000家")
    firms.status, firms.value = Claim.Status.CORRECTED, 6001
    firms.save()
    first = history.versions_of(day).last()
    item = firms.item
    item.body = item.body.replace("超过6000家", "超过7000家")
    item.save()
    search.reindex_digest(day)
    assert not Claim.objects.filter(digest=day, text="超过6000家").exists()
    # Back to the imported text: the number is found again, as found (the
    # correction was made to text the restore replaced); a correction made on
    # text the restore keeps stays.
    deal = claim_of(day, "8.88亿美元")
    deal.status = Claim.Status.DISMISSED
    deal.save()
    workflow.restore(day, first, editor)
    assert claim_of(day, "超过6000家").status == Claim.Status.FOUND
    assert claim_of(day, "8.88亿美元").status == Claim.Status.DISMISSED


def published(date, text, source_name="新华网"):
    digest = factories.digest(date=date, status=Digest.Status.PUBLISHED)
    factories.item(digest, source=factories.source(source_name), title="中国AI产业规模", body=text)
    search.reindex_digest(digest)
    return digest


def test_a_number_contradicting_one_published_in_the_last_90_days_is_flagged(day):
    published(day.date - datetime.timedelta(days=10), "中国AI核心产业规模为0.9万亿元。")
    with translation.override("en"):
        problems = checks.claims_consistent(Digest.objects.with_contents().get(pk=day.pk))
    found = [p for p in problems if "0.9万亿元" in p]
    assert found and "2026-01-23" in found[0] and "新华网" in found[0], problems
    # Both sides: this day's item and its source, the earlier one's date and source.
    own = "AI技术-中国AI产业规模突破1.2万亿元 (辉和辉的AI学习): "
    assert any(p.startswith(own) for p in found), found


@pytest.mark.parametrize(
    "days, status",
    [(91, Digest.Status.PUBLISHED), (10, Digest.Status.DRAFT), (10, Digest.Status.UNPUBLISHED)],
)
def test_only_published_claims_of_the_last_90_days_count(day, days, status):
    earlier = published(
        day.date - datetime.timedelta(days=days), "中国AI核心产业规模为0.9万亿元。"
    )
    Digest.objects.filter(pk=earlier.pk).update(status=status)
    problems = checks.claims_consistent(Digest.objects.with_contents().get(pk=day.pk))
    assert not [p for p in problems if "0.9万亿元" in p]


def test_the_consistency_check_is_one_query(day):
    published(day.date - datetime.timedelta(days=10), "中国AI核心产业规模为0.9万亿元。")
    digest = Digest.objects.with_contents().get(pk=day.pk)
    with CaptureQueriesContext(connection) as captured:
        checks.claims_consistent(digest)
    assert len(captured) == 1  # the published claims with their digests, items and sources


def test_a_body_full_of_numbers_is_recorded_in_linear_time(db):
    """The longest body, every character a number or between numbers: recorded quickly,
    and twice as much text takes about twice as long, not four times."""
    import time

    digest = factories.full_digest(items=1)
    item = digest.items.get()

    def record(size):
        item.body = ("增长1.5%,达到3-5万亿元," * 400)[:size]
        item.save()
        start = time.perf_counter()
        ledger.record([digest.pk])
        return time.perf_counter() - start

    record(2000)  # warm up
    short, long = record(2000), record(4000)
    assert long < 5.0 and long < short * 3 + 0.1  # quadratic would be four times
    assert Claim.objects.filter(digest=digest).count() > 100
