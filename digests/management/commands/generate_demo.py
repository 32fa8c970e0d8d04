"""Generate many days of plausible published briefings, for benchmarks and trying things out."""

import datetime
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from digests import workflow
from digests.briefing import parse_text
from digests.importing import import_briefing
from digests.models import Digest

SECTIONS = {
    "AI技术动态": ["AI技术", "大模型", "智能体", "AI应用"],
    "前沿科技突破": ["量子计算", "生物医药", "空天探索", "脑机接口", "新材料"],
    "芯片与硬件": ["芯片", "存储", "6G通信", "机器人"],
    "政策与资本动向": ["政策", "资本", "标准"],
    "其他领域": ["商业航天", "绿色能源", "新能源汽车", "低空经济"],
}
SOURCES = [
    "新华网",
    "科技日报",
    "36氪",
    "IT之家",
    "财新网",
    "机器之心",
    "量子位",
    "澎湃新闻",
    "第一财经",
    "钛媒体",
    "人民网",
    "中国科学院",
    "工业和信息化部",
    "硅基观察室",
]
ACTORS = [
    "一家头部云厂商",
    "某高校联合实验室",
    "国内一家初创公司",
    "多家整车企业",
    "一家上市芯片公司",
    "某省科技厅",
    "一家国际研究机构",
    "多家互联网平台",
    "国家级创新中心",
    "一家储能企业",
]
THINGS = [
    "新一代推理芯片",
    "开源大模型",
    "固态电池样品",
    "人形机器人",
    "量子计算原型机",
    "卫星互联网终端",
    "脑机接口系统",
    "智算中心",
    "自动驾驶方案",
    "钠离子电池产线",
    "光刻胶材料",
    "太赫兹通信模块",
    "多模态模型",
    "碳化硅功率器件",
    "AI制药平台",
]
VERBS = ["发布", "量产", "开源", "完成测试", "获得融资", "落地应用", "通过验证", "启动建设"]
EFFECTS = ["成本下降", "效率提升", "能耗降低", "时延缩短", "良率提高", "产能扩大"]
LABELS = [
    ("背景", "关键数据", "影响范围"),
    ("背景", "数据支撑", "风险提示"),
    ("缘起", "关键数据", "展望"),
]


def sentence(rng):
    return (
        f"{rng.choice(ACTORS)}宣布{rng.choice(THINGS)}{rng.choice(VERBS)},"
        f"{rng.choice(EFFECTS)}约{rng.randint(5, 80)}%,"
        f"预计{rng.randint(2026, 2030)}年带动相关产业规模突破"
        f"{rng.randint(1, 99)}.{rng.randint(0, 9)}"
        f"{rng.choice(['亿元', '万亿元', '亿美元'])}。"
    )


def briefing_text(day, rng):
    """One day's briefing in the plain-text format, as an editor would write it."""
    lines = [f"每日科技新闻速览({day.isoformat()})"]
    headlines = set()
    for section in rng.sample(list(SECTIONS), k=rng.randint(3, 5)):
        lines.append(section)
        for _ in range(rng.randint(2, 4)):
            thing = rng.choice(THINGS)
            headline = f"{thing}{rng.choice(VERBS)}{rng.choice(EFFECTS)}{rng.randint(10, 99)}%"
            while headline in headlines:
                headline += "再创新高"
            headlines.add(headline)
            lines += [f"{rng.choice(SECTIONS[section])}-{headline}", sentence(rng) + sentence(rng)]
            lines.append(f"来源:{rng.choice(SOURCES)}")
    lines += ["# 深度解析", f"深度解析:{rng.choice(THINGS)}的产业化拐点"]
    lines += [f"{label}:{sentence(rng)}" for label in rng.choice(LABELS)]
    lines.append("趋势总结")
    lines += [f"- {rng.choice(THINGS)}加速:{sentence(rng)}" for _ in range(3)]
    lines.append(f"今日核心趋势总结:{sentence(rng)}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Publish N generated days of briefings, ending the day before the earliest digest "
        "(or --end). Each goes through the importer and the workflow, as the desk's would."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="How many days (default 365).")
        parser.add_argument("--end", type=datetime.date.fromisoformat, help="The last day.")
        parser.add_argument("--seed", type=int, default=2026, help="For the same text each run.")

    def handle(self, *args, days, end, seed, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if end is None:
            earliest = Digest.objects.order_by("date").values_list("date", flat=True).first()
            end = (earliest or datetime.date.today()) - datetime.timedelta(days=1)
        taken = set(Digest.objects.values_list("date", flat=True))
        rng = random.Random(seed)
        made = 0
        for offset in tqdm(range(days), unit="day", file=self.stderr._out):
            day = end - datetime.timedelta(days=offset)
            text = briefing_text(day, rng)
            if day in taken:
                continue
            with transaction.atomic():
                digest = import_briefing(parse_text(text))
                workflow.submit(digest, None)
                workflow.publish(digest, None)
            made += 1
        self.stdout.write(f"Published {made} generated days ending {end.isoformat()}.")
