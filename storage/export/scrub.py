"""Find direct identifiers in free text: e-mails, phone numbers, id numbers, street addresses,
names after labels and dates of birth, in English and Chinese (Traditional and Simplified).

Medical text is full of numbers that must survive (lab values, doses, dates of visits, blood
pressure, ages), so every pattern is narrow: numbers count as identifiers by their shape
(a Taiwan mobile, a mainland mobile, an id with its check letter) or by a label in front of
them ("手機", "ID card number", "born on"); names only after a label ("my name is", "姓名：",
"我叫", a relation such as "my wife", a signature) or when they are the asker's own display
name. ``tests/export/deid_eval/`` holds the labelled texts that measure this
(``bench/deidentify.py``), ``docs/deidentification.md`` the figures and what is not caught.
Bump ``SCRUBBER_VERSION`` whenever a pattern changes.

How it works: ``find_spans`` runs one pass per kind over a copy of the text in which
full-width characters are folded to ASCII (``０９１２`` reads as ``0912``; one character for
one, so offsets stay valid) and in which every span already found is masked, so a later
pass never matches inside an earlier one's find. Each pass is skipped when a cheap test
shows it cannot match (no ``@``, no road word, no label), which keeps an export of millions
of questions fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

#: Bumped whenever a pattern changes, so a manifest says which rules an export went through.
SCRUBBER_VERSION = "2"

#: The kinds of identifier found, in the order their passes run.
KINDS: tuple[str, ...] = ("EMAIL", "ID", "DOB", "PHONE", "ADDRESS", "NAME")
#: Placeholder for each kind, as it appears in exported text.
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}


class Span(NamedTuple):
    """``text[start:end]`` is an identifier of ``kind``."""

    start: int
    end: int
    kind: str


def _word_set(words: str) -> frozenset[str]:
    """Whitespace-separated words as a set: long word lists read best as text."""
    return frozenset(words.split())


_MIN_PHONE_DIGITS = 8
_MIN_LABELED_PHONE_DIGITS = 7
_MIN_LABELED_ID_DIGITS = 4

# Full-width ASCII (U+FF01-FF5E) and the ideographic space, folded one character for one.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
# What found spans are masked with: matches nothing any pattern looks for.
_MASK = "\ufffc"

_HAN = r"[\u4e00-\u9fff]"
# Boundaries use explicit character classes instead of \b: CJK characters count as word
# characters, so \b would miss an id written straight after Chinese text ("身分證A123456789").
# After a number: no digit, letter or slash, and no "." or "-" that continues the number.
_NUM_END = r"(?![0-9A-Za-z/]|[.\-]\d)"
_ALNUM_END = r"(?![0-9A-Za-z])"

# --- e-mail ------------------------------------------------------------------------------
_EMAIL = (
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
# "chen(at)gmail(dot)com", "chen [at] gmail.com", "chen at gmail dot com": only with a known
# top-level domain at the end, so "look at him dot" stays prose.
_AT = r"(?:\s*[(\[{]\s*at\s*[)\]}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+|\.)"
_EMAIL_SPELLED = (
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{{2,}}(?:{_DOT}[A-Za-z0-9_%+\-]+)*{_AT}"
    rf"[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*"
    rf"{_DOT}(?i:com|net|org|edu|gov|tw|hk|cn|mo|sg|jp|us|uk|io|me)(?![A-Za-z])"
)

# --- id numbers --------------------------------------------------------------------------
_ID = (
    r"(?<![0-9A-Za-z])(?:"
    r"[A-Za-z][12ABCDabcd89]\d{8}"  # Taiwan national id / resident certificate
    r"|\d{3}-\d{2}-\d{4}"  # US social security number
    r"|[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"  # PRC id
    r"|[A-Z]{1,2}\d{6} ?\([0-9A]\)"  # Hong Kong identity card, check digit included
    r"|[157]\d{6} ?\(\d\)"  # Macau resident identity card
    r")" + _ALNUM_END
)
# Every id above has six digits in a row, or the SSN shape.
_ID_HINT = re.compile(r"\d(?:\d{5}|\d{2}-\d{2}-\d{4})")

# An identifier announced by its label: the label stays, the value goes (checked in code to
# hold at least four digits, so "ID card is expired" stays as written). English labels may be
# followed by a few lower-case words before "is" ("patient ID at the clinic is ...").
_EN_ID_LABEL = (
    r"passport|medical record|chart|patient (?=n|#|id)|MRN|NHI card|health insurance card|"
    r"insurance card|identity card|ID card|HKID|student ID|resident certificate|ARC|"
    r"social security|SSN|policy|member|membership|account|claim|I\.D\.|ID"
)
_ZH_ID_LABEL = (
    r"身分證|身份證|身份证|身分证|居留證|居留证|統一證號|護照|护照|病歷|病历|健保卡|"
    r"學號|学号|學生證|学生证"
)
_ID_VALUE = (
    r"(?P<value>(?=[A-Za-z\-]*\d)[A-Za-z0-9](?:[A-Za-z0-9\-]|(?<=\d) (?=\d{3}))*[A-Za-z0-9]"
    r"(?: ?\([0-9A-Za-z]\))?)"
)
_ID_LABELED = (
    rf"(?:(?<![A-Za-z])(?i:{_EN_ID_LABEL})(?:\s*(?i:number|no\.?|#|card|id))*"
    r"(?:(?:\s+[a-z]+){0,4}?\s+(?:is|was)\s+|\s*[:：]\s*|\s+)"
    rf"|(?:{_ZH_ID_LABEL})(?:字號|號碼|号码|卡號|卡号|號|号)?\s*(?:是|為|为|[:：])?\s*)"
    + _ID_VALUE
    + _ALNUM_END
)
# --- dates of birth ----------------------------------------------------------------------
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ZH_DIGIT = r"[0-9一二三四五六七八九十〇零○]"
# A date with at least a month: a year alone is kept (it says little, and ages are kept).
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    r"|\d{2,3}[/.]\d{1,2}[/.]\d{1,2}"  # Taiwan's ROC calendar: 75/03/02
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH},?\s+\d{{4}}"
    rf"|(?:民國|民国)?\s*{_ZH_DIGIT}{{2,4}}\s*年\s*{_ZH_DIGIT}{{1,2}}\s*月"
    rf"(?:\s*{_ZH_DIGIT}{{1,3}}\s*[日號号])?)"
)
_DOB_LABEL = (
    r"(?:(?<![A-Za-z])(?i:date of birth|birth ?date|birthday|d\.?o\.?b\.?|born)"
    r"(?:\s+(?:is|was|on|in))*\s*[:：]?\s*"
    r"|(?:出生日期|出生年月日|出生年月|生日|出生於|出生于|生於|生于|出生)\s*(?:是|為|为|在)?\s*[:：]?\s*)"
)
# A birthday without its year still narrows a person down: after a label only.
_MONTH_DAY = (
    rf"(?:{_ZH_DIGIT}{{1,2}}\s*月\s*{_ZH_DIGIT}{{1,3}}\s*[日號号]"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?![\d,])"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?!,?\s*\d)"
    r"|\d{1,2}/\d{1,2}(?![/\d]))"
)
_DOB = (
    rf"{_DOB_LABEL}(?P<value>{_DATE}|{_MONTH_DAY})(?!\d)"
    rf"|(?P<before>{_DATE}|{_ZH_DIGIT}{{1,2}}\s*月\s*{_ZH_DIGIT}{{1,3}}\s*[日號号])"
    rf"(?=\s*(?:出生|出世|誕生|生(?![日病氣气產产效活長长理物命意育])))"
)
# --- phone numbers -----------------------------------------------------------------------
# A unit after a long number makes it a lab value, not a phone ("13812345678 copies/mL").
_NOT_A_UNIT = r"(?!\s?(?:[a-zA-Zµμ]{1,4}/|/[a-zA-Zµμ]|IU|copies|cells|mg|ml|mL|g\b|%))"
# First character consumed, then: not preceded by a digit, letter or number punctuation.
_PHONE = (
    r"[+(\d](?<![0-9A-Za-z+/.\-].)(?:"
    r"(?<=\+)\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){1,5}"  # international: +886 2 1234 5678
    r"|(?<=\()\+\d{1,3}\)(?:[ .\-]?\(?\d{1,4}\)?){1,5}"  # (+886) 2-2345-6789
    r"|(?:(?<=0)0(?:886|86|852|853)|(?<=8)(?:86|6|52|53))"  # 00886, 886, 86, 852, 853
    r"[ \-]?\(?0?\d{1,4}\)?[ \-]?\d{3,4}[ \-]?\d{3,4}"
    r"|(?<=1)[3-9]\d[ \-]?\d{4}[ \-]?\d{4}"  # mainland mobile: 138 1234 5678
    r"|(?<=0)9\d{2}[ \-.]?\d{3}[ \-.]?\d{3}"  # Taiwan mobile: 0912-345-678
    r"|(?<=\()0\d{1,3}\)[ \-]?\d{3,4}[ \-]?\d{3,4}"  # Taiwan landline: (02) 2345-6789
    r"|(?<=\()852\)[ \-]?\d{4}[ \-]?\d{4}"  # Hong Kong: (852) 2345 6789
    r"|(?<=0)\d{1,3}[ \-]\d{3,4}[ \-]\d{4}"  # landline: 02-2345-6789, 02 2345 6789
    r"|(?<=0)\d{1,3}-\d{5,8}"  # landline: 07-3456789, 037-123456, 010-12345678
    r"|(?<=1)[ .\-]\(\d{3}\)[ ]?\d{3}[ .\-]\d{4}"  # US: 1 (555) 123-4567
    r"|(?<=\()\d{3}\)[ ]?\d{3}[ .\-]\d{4}"  # US: (555) 123-4567
    r"|(?<=1)[ .\-]\d{3}[.\-]\d{3}[.\-]\d{4}"  # US: 1-800-555-1234
    r"|(?<=\d)\d{2}[.\-]\d{3}[.\-]\d{4}"  # US: 555-123-4567
    r")" + _NUM_END + _NOT_A_UNIT
)
# A number announced by a phone label, area code or not: "電話：2712-3456", "tel 2712 3456".
_PHONE_LABELED = (
    r"(?:(?<![A-Za-z])(?i:phone|tel|telephone|mobile|cell|cellphone|landline|direct line|"
    r"whatsapp|wechat|line|fax|call me(?: at| on)?|call|(?:my|his|her|our) number)"
    r"(?:\s*(?i:number|no\.?|#))?"
    r"(?:\s+is\s+|\s*[:：]\s*|\s+)"
    r"|(?:電話|电话|手機|手机|市話|市话|行動電話|傳真|传真|聯絡電話|連絡電話|联系电话|"
    r"聯絡方式|联系方式|家裡電話|家里电话|號碼|号码|打給我|打给我|撥打|打)"
    r"(?:號碼|号码)?\s*(?:是|為|为|[:：])?\s*)"
    r"(?P<value>\+?(?:\(\d{1,4}\)\s?)?\d[\d \-.]{5,}\d)" + _NUM_END + _NOT_A_UNIT
)
# --- addresses ---------------------------------------------------------------------------
_EN_WORD = r"[A-Z][A-Za-z']*\.?"
_EN_STREET = (
    r"(?:(?:Flat|Room|Rm|Unit|Apt|Suite)\.?\s*[A-Za-z0-9\-]+,\s*(?:\d+/F,?\s*)?"
    r"(?:Block\s+[A-Za-z0-9]+,\s*)?)?"
    r"\d(?<![0-9A-Za-z+/.\-].)\d{0,4}[A-Z]?(?:-\d{1,5})?\s+(?:[A-Z][A-Za-z']*\.?\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Way|Court|Ct|Place|Pl|"
    r"Terrace|Parkway|Pkwy|Highway|Hwy)"
    r"\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room)\.?\s*#?\s*[A-Za-z0-9\-]+)?"
)
_EN_TAIWAN = (
    r"(?<![A-Za-z0-9])(?:(?:Rm|Room|Unit|Flat)\.?\s*[A-Za-z0-9\-]+,\s*)?(?:\d+F\.?(?:-\d+)?,?\s*)?"
    r"No\.\s*\d+(?:-\d+)?"
    r"(?:,\s*(?:Alley|Aly|Lane|Ln|Section|Sec)\.?\s*\d+)*"
    rf",\s*(?:{_EN_WORD}\s+){{0,2}}{_EN_WORD}\s*"
    r"(?:Rd|Road|St|Street|Ave|Avenue|Blvd|Boulevard)\b\.?"
    r"(?:,\s*(?:Section|Sec)\.?\s*\d+"
    r"|,\s*(?:[A-Z][A-Za-z']*\s+){1,2}(?:Dist|District|City|County|Township|Village|Vil)\b\.?"
    r"(?:\s*\d{3,6})?"
    r"|,\s*(?:New\s+)?(?:Taipei|Taichung|Tainan|Kaohsiung|Taoyuan|Hsinchu|Keelung|Chiayi|"
    r"Changhua|Yilan|Hualien|Taitung|Pingtung|Miaoli|Nantou|Yunlin|Penghu|Kinmen)"
    r"(?:\s+(?:City|County))?(?:\s*\d{3,6})?\b"
    r"|,\s*Taiwan(?:\s*\(R\.O\.C\.\))?)*"
)
_ZH_NUM = r"[0-9]+"
_ZH_CNUM = r"[0-9一二三四五六七八九十百]+"
# Characters that start the sentence around an address ("我住在", "家在", "這條路") are not
# part of a place name; excluding them keeps the placeholder from swallowing the context.
_ZH_NAME = r"(?:(?![在住的是我你他她於于到從从往近家就要去也都這这那條条搭坐址寄])[\u4e00-\u9fff])"
_ZH_CITY = (
    r"(?:[台臺](?:北|中|南|東|东)|新北|桃園|桃园|高雄|基隆|新竹|嘉義|嘉义|苗栗|彰化|南投|"
    r"雲林|云林|屏東|屏东|宜蘭|宜兰|花蓮|花莲|澎湖|金門|金门|連江|连江|香港|九龍|九龙|新界|澳門|澳门)"
    r"[市縣县]?"
)
_ZH_ROAD = r"(?:路|街|大道|道)"
# A number + 號 followed by a vehicle, bed or ward word is a bus line or a bed, not a house.
_ZH_HOUSE = (
    rf"\s?{_ZH_NUM}\s?(?:[之\-]\s?{_ZH_NUM})?\s?[號号](?![公客]?車|[公客]?车|巴士|線|线|床|病房|診|诊)"
    rf"(?:\s?{_ZH_CNUM}\s?[樓楼Ff](?:之{_ZH_NUM})?|\s?[Bb]\d{{1,2}}|\s?地下{_ZH_CNUM}[樓楼])?"
    rf"(?:{_ZH_NUM}室)?"
)
_ZH_ADDRESS = (
    rf"(?:{_ZH_CITY}\s?)?(?:{_ZH_NAME}{{1,3}}[區区鄉乡鎮镇市]\s?)?"
    rf"(?:{_ZH_NAME}{{1,3}}[里村](?:{_ZH_CNUM}鄰)?\s?)?"
    rf"(?:{_ZH_NAME}{{1,6}}?{_ZH_ROAD}[東西南北中东]?(?:\s?{_ZH_CNUM}\s?段)?)?"
    rf"(?:\s?{_ZH_NUM}\s?巷)?(?:\s?{_ZH_NUM}\s?[弄衖])?"
    rf"(?:(?<=[路街道段巷弄衖鄰里村])|(?<=[路街道段巷弄衖鄰里村]\s)|(?<=[路街道][東西南北中东])"
    rf"|(?<=[路街道][東西南北中东]\s)){_ZH_HOUSE}"
)
# A road/lane/village word, at most a section's worth of characters, then a house number.
_ZH_ADDRESS_HINT = re.compile(r"(?:路|街|道|巷|弄|鄰|里|村)[^號号\n]{0,16}?[0-9]\s?[號号]")

# --- names -------------------------------------------------------------------------------
# Common surnames in Taiwan, Hong Kong and the mainland, compound ones first.
_SURNAMES = (
    "張簡|歐陽|欧阳|司馬|司马|諸葛|诸葛|上官|范姜|"
    "陳|陈|林|黃|黄|張|张|李|王|吳|吴|劉|刘|蔡|楊|杨|許|许|鄭|郑|謝|谢|郭|洪|曾|邱|廖|賴|赖|"
    "周|徐|蘇|苏|葉|叶|莊|庄|呂|吕|江|何|蕭|萧|羅|罗|高|潘|簡|简|朱|鍾|钟|彭|游|詹|胡|施|沈|"
    "余|趙|赵|盧|卢|梁|顏|颜|柯|孫|孙|魏|翁|戴|范|宋|方|鄧|邓|杜|傅|侯|曹|薛|丁|卓|馬|马|阮|"
    "董|唐|溫|温|藍|蓝|蔣|蒋|石|古|紀|纪|姚|連|连|馮|冯|歐|欧|程|湯|汤|黎|田|康|姜|白|汪|鄒|"
    "邹|尤|巫|鐘|涂|龔|龚|嚴|严|韓|韩|袁|金|童|陸|陆|夏|柳|凃|邵|錢|钱|伍|倪|譚|谭|駱|骆|熊|"
    "任|甘|秦|顧|顾|毛|章|史|官|萬|万|俞|雷|粘|饒|饶|鄞|鄔|邬|房|凌|闕|阙|孔|易|喬|乔|包"
)
# What may follow a Chinese name: punctuation, a digit, the end, or a word that starts the
# rest of the sentence. A name must be followed by one of these, so "王小明今年" gives
# "王小明", and a word merely starting with a surname character rarely passes.
_ZH_AFTER_NAME = (
    r"(?=[\s，,。.！!？?、；;：:（(）)」』\d]|$|今年|現在|现在|的|在|是|也|有|住|從|从|已經|已经|"
    r"目前|最近|因為|因为|說|说|被|罹患|患有|確診|确诊|去年|前年|上個月|昨天|今天|敬上|謹上|"
    r"谨上|敬啟|拜上|上$|先生|小姐|女士|太太|來|来|想|要|請|请|得|跟|和|與|与|之前|以前|"
    r"後來|后来|剛|刚|又|還|还|都|就|才|曾|會|会|一直|每天|平常|開|开|做|吃|去|到)"
)
# Words that look like surname + given name but are not names.
_ZH_NAME_WORDS = _word_set(
    """高血壓 高血脂 高血糖 高燒 高齡 高中生 高職生 高中 高三 高雄 高度 白內障 白血球 白天 白髮
    黃疸 石頭 曾經 金門 康復 方便 方面 方法 周末 周邊 周圍 程度 簡單 連續 連絡 馬上 萬一 余下
    任何 何時 何處 何況 夏天 包括 包皮 包含 史上 毛病 毛囊 許多 許久 林口 溫度 温度 游泳 葉酸
    田野 易怒 易胖 房間 凌晨 謝謝 谢谢 謝謝您 謝謝你 陳述 陈述 古早 雷射 官方 童年 夏季 房子
    錢包 孔洞 甘草 杜絕 卓越 董事 唐突 紀錄 江湖 連江 歐洲 程式 湯匙 黎明 田徑 尤其 巫婆 鐘頭
    嚴重 韓國 金錢 金額 童話 陸續 柳丁 錢財 熊貓 任務 甘蔗 顧客 毛毛 章程 官員 萬元 萬分 雷同
    房東 凌亂 孔子 易經 包裝 陳年 黃色 黃金 張開 劉海 楊桃 許願 鄭重 洪水 曾孫 周全 周到 徐徐
    蘇打 葉子 莊園 江水 何必 羅列 鍾情 游離 胡說 胡亂 施打 施行 沈重 沈默 顏色 孫子 孫女 戴上
    宋朝 方向 方式 杜鵑 石化 古老 古代 馬桶 馬達 田間 康健 白話 白色 朱紅 姜母 汪汪
    小孩 小朋友 小學 小学 小兒 小儿 小姐 小弟 小妹 小時 小时 小腿 小便 小心 小姑 小叔 小舅 小姨
    小寶 小宝 小女 小犬 小資 小資 小腹 小型 小小 小組 小组 小三 小六 小一 小二 小四 小五 阿姨 阿嬤
    阿嬷 阿媽 阿妈 阿公 阿伯 阿婆 阿兵 阿斯 阿茲 阿兹 阿里 阿拉 阿爸 阿母"""
)
#: A name ending in an honorific or a profession is a title, not the person's name.
_ZH_TITLES = (
    "小姐",
    "先生",
    "太太",
    "女士",
    "醫師",
    "医师",
    "醫生",
    "医生",
    "護理師",
    "老師",
    "老师",
)
# A three-character name before punctuation first ("陳彼得，", though 得 may end a name too),
# else the shortest name before a word that may follow one ("王明今年").
_ZH_STRONG_END = r"(?=[\s，,。.！!？?、；;：:（(）)」』\d]|$)"
_ZH_SURNAME_NAME = (
    rf"(?:{_SURNAMES}){_HAN}{{2}}{_ZH_STRONG_END}|(?:{_SURNAMES}){_HAN}{{1,2}}?{_ZH_AFTER_NAME}"
)
# "阿明", "小美": a nickname, only after a naming label or a relation.
_ZH_NICKNAME = rf"[阿小]{_HAN}{_ZH_AFTER_NAME}"
_ZH_ANY_NAME = rf"{_HAN}{{2,4}}?{_ZH_AFTER_NAME}"

_EN_NAME_TOKEN = r"(?:[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)?)"
# Capitalised words that follow "I am", "my son" and the like without being names.
_EN_NOT_NAMES = (
    "Doctor|Dr|Sir|Madam|Mr|Mrs|Ms|Miss|Nurse|Professor|Prof|God|Everyone|All|Hello|Hi|"
    "Taiwanese|Chinese|American|British|Japanese|Korean|Vietnamese|Thai|Indonesian|Filipino|"
    "Malaysian|Singaporean|Canadian|Australian|Indian|European|Asian|Catholic|Christian|"
    "Buddhist|Muslim|Jewish|Hindu|Not|Sorry|Fine|Okay|Ok|Here|Back|So|Very|Also|Still|Just|"
    "Currently|Now|The|A|An|This|That|In|On|At|From|With|Worried|Pregnant|Diabetic|Allergic|"
    "Male|Female|Married|Single|Retired|Thank|Thanks|Please|Yes|No|Today|Yesterday|Tomorrow|"
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|"
    "May|June|July|August|September|October|November|December|Dear|Regards|Hospital|Clinic"
)
_EN_NAME = (
    rf"(?!(?:{_EN_NOT_NAMES})\b){_EN_NAME_TOKEN}"
    rf"(?:[ ](?!(?:{_EN_NOT_NAMES})\b){_EN_NAME_TOKEN}){{0,2}}"
)
# A title before a name stays in the text; a doctor's title is not here: doctors' names stay.
_EN_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+)?"
_EN_RELATION = (
    r"husband|wife|son|daughter|mother|father|mom|mum|dad|brother|sister|grandmother|"
    r"grandfather|grandma|grandpa|granddaughter|grandson|uncle|aunt|cousin|nephew|niece|"
    r"friend|boyfriend|girlfriend|partner|fiance|fiancee|colleague|neighbor|neighbour|"
    r"baby|child|kid|roommate|mother-in-law|father-in-law"
)
_SIGN_OFF = (
    r"(?i:thanks|thank you|many thanks|regards|best regards|kind regards|best wishes|best|"
    r"sincerely|yours sincerely|yours truly|yours|cheers|bye|love)"
)
_EN_NAME_PATTERNS = (
    # "my name is", "my wife's name is", "name:", "Patient: Mr. Chang", "I'm called Jo".
    rf"(?<![A-Za-z])(?i:(?:my|his|her|our|their)(?:\s+[a-z\-]+(?:'s)?)?\s+name(?:\s+is|'s)"
    rf"|(?:patient|full|first|last|contact|my)?\s*name\s*[:：]"
    rf"|(?:patient|contact|contact person|emergency contact|sender)\s*[:：]"
    rf"|(?:signed|from)\s*[:：,]"
    rf"|(?:I am|I'm)\s+called|I go by|(?:you can|people|everyone) calls? me)\s*{_EN_TITLE}"
    rf"(?P<v1>{_EN_NAME})",
    # "I am Grace Liu, a nurse", "this is Chen again", "I'm Peter."
    rf"(?<![A-Za-z])(?:I am|I'm|(?i:this is)|It's)\s+(?P<v2>{_EN_NAME})"
    r"(?=\s*[,.;!(]|\s+(?:and|from|a|an|writing|again|here|aged?|\d))",
    # "my husband Lee Chih-Hao", "contact my wife Linda Chou".
    rf"(?<![A-Za-z])(?i:my|our)\s+(?i:{_EN_RELATION})(?:,?\s+|\s*\(\s*){_EN_TITLE}"
    rf"(?P<v3>{_EN_NAME})",
    # "Regards,\nAmy Wu" (the name alone on the last line) or "Thanks, Amy" ending the text.
    rf"(?<![A-Za-z]){_SIGN_OFF}(?:[^\n]{{0,40}}\n\s*(?:[-–—~]+\s*)?|,\s*)"
    rf"(?P<v4>{_EN_NAME})\s*[.!]?\s*\Z",
)
_ZH_RELATION = (
    r"先生|太太|老公|老婆|丈夫|妻子|兒子|儿子|女兒|女儿|爸爸|媽媽|妈妈|父親|父亲|母親|母亲|"
    r"哥哥|弟弟|姊姊|姐姐|妹妹|阿公|阿嬤|阿嬷|阿媽|爺爺|爷爷|奶奶|外公|外婆|舅舅|阿姨|叔叔|"
    r"伯伯|姑姑|孫子|孙子|孫女|孙女|朋友|同事|男友|女友|男朋友|女朋友|室友|婆婆|公公|岳母|岳父"
)
_ZH_NAME_PATTERNS = (
    # After a naming label, any two to four Han characters: "姓名：林志明", "病人：李大同".
    r"(?:(?:病人|患者|病患|家屬|家属|聯絡人|联系人|連絡人|聯絡窗口|联系窗口|寫信的人|写信的人|"
    r"發信人|发信人|提問人|提问人|申請人|申请人|當事人|当事人|簽名|签名)(?:姓名)?\s*[:：]"
    r"|(?:姓名|名字|署名)\s*(?:是|為|为|叫|[:：])|姓名\s)"
    rf"\s*(?P<v1>{_ZH_ANY_NAME})",
    # After "叫", "本人", "發問者" or "我是", a surname first: "我叫王小明", "我是林雅婷，".
    rf"(?:名叫|叫做|叫|本人|發問者|发问者|我是|家屬|家属)\s*[:：]?\s*"
    rf"(?P<v2>{_ZH_SURNAME_NAME}|{_ZH_NICKNAME})",
    # After a relation, mine or starting a sentence: "我先生李志豪的", "同事王建民說",
    # "我女兒小如今年", "我先生（陳志明）".
    rf"(?:我|我的|我家|^|(?<=[\s，,。.！!？?；;]))(?:{_ZH_RELATION})\s*[（(]?\s*"
    rf"(?P<v3>{_ZH_SURNAME_NAME}|{_ZH_NICKNAME})",
    # "姓吳名美華": the given name.
    rf"姓\s*(?:{_SURNAMES})\s*[，,]?\s*名(?:叫)?\s*(?P<v6>{_HAN}{{1,2}}?){_ZH_AFTER_NAME}",
    # A Latin-script name after a Chinese naming label: "我叫Amy".
    rf"(?:名叫|叫做|我叫|我的名字是|英文名(?:字)?(?:是|叫)?)\s*(?P<v7>{_EN_NAME})",
    # A signature: "吳怡君 敬上", "王大明 上" ending the text, or a name alone on the last line.
    rf"(?P<v4>(?:{_SURNAMES}){_HAN}{{1,2}})\s*(?:敬上|謹上|谨上|敬啟|拜上)",
    rf"(?P<v8>(?:{_SURNAMES}){_HAN}{{1,2}})\s*上\s*\Z",
    rf"(?<=\n)[ \t]*(?P<v5>(?:{_SURNAMES}){_HAN}{{1,2}})\s*\Z",
)
# A display name that says nothing about a person is not looked for in the text.
_GENERIC_NAMES = _word_set(
    "匿名 網友 网友 民眾 民众 病人 患者 小姐 先生 女士 太太 媽媽 妈妈 爸爸 家長 家长 訪客 访客 "
    "anonymous anon guest user visitor patient member someone me"
)


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _value_span(match: re.Match[str]) -> tuple[int, int] | None:
    """The span of the first named group that matched, or of the whole match."""
    for name, value in match.groupdict().items():
        if value is not None and (name == "value" or name.startswith("v") or name == "before"):
            return match.span(name)
    return match.span()


def _phone_span(match: re.Match[str]) -> tuple[int, int] | None:
    return match.span() if _digits(match.group(0)) >= _MIN_PHONE_DIGITS else None


def _labeled_phone_span(match: re.Match[str]) -> tuple[int, int] | None:
    value = match.group("value").rstrip(" .-(")
    if _digits(value) < _MIN_LABELED_PHONE_DIGITS:
        return None
    start = match.start("value")
    return start, start + len(value)


def _zh_name_span(match: re.Match[str]) -> tuple[int, int] | None:
    """A Chinese name candidate, unless it is a word or a title ("高血壓", "王醫師")."""
    start, end = _value_span(match) or match.span()
    name = match.string[start:end]
    if name in _ZH_NAME_WORDS or name.endswith(_ZH_TITLES) or "醫" in name or "医" in name:
        return None
    return start, end


def _labeled_id_span(match: re.Match[str]) -> tuple[int, int] | None:
    if _digits(match.group("value")) < _MIN_LABELED_ID_DIGITS:
        return None
    return match.span("value")


#: Two or more digits with at most a separator between them, seven times: what any phone
#: number has. A cheap test (it starts with a character class) that most texts fail.
_SEVEN_DIGITS = re.compile(r"\d(?:[ \-.()+]{0,3}\d){6}")
_HAN_TEXT = re.compile(_HAN)
_ZH_ID_WORDS = tuple(_ZH_ID_LABEL.split("|"))
_ZH_RELATION_WORDS = tuple(_ZH_RELATION.split("|"))
_EN_RELATION_TEST = re.compile(rf"(?i:\b(?:my|our)\s+(?:{_EN_RELATION}))")


def _any_of(words: str) -> tuple[str, ...]:
    """``"a|b|c"`` as trigger words: long lists read best on one line."""
    return tuple(words.split("|"))


@dataclass(frozen=True, slots=True)
class _Pass:
    """One kind of identifier: its pattern, how a match becomes a span, and cheap pre-tests.

    A pass runs only when one of its ``triggers`` (lower-case substrings) occurs in the text
    and its ``test`` pattern matches; ``tail`` limits it to the end of the text (signatures).
    Substring tests run in C at memory speed, far faster than one regular expression with
    many alternatives, so a text without any label word costs almost nothing.
    """

    kind: str
    pattern: re.Pattern[str]
    span: Callable[[re.Match[str]], tuple[int, int] | None]
    triggers: tuple[str, ...] = ()
    test: re.Pattern[str] | None = None
    tail: int = 0

    def applies(self, text: str, lower: str) -> bool:
        if self.triggers and not any(trigger in lower for trigger in self.triggers):
            return False
        return self.test is None or self.test.search(text) is not None

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text, max(0, len(text) - self.tail) if self.tail else 0)


_ZH_NAME_TRIGGERS: tuple[tuple[str, ...], ...] = (
    _any_of(
        "病人|患者|病患|家屬|家属|聯絡|联系|連絡|寫信|写信|發信|发信|"
        "提問人|提问人|申請人|申请人|當事人|当事人|簽名|签名|姓名|名字|署名"
    ),
    ("叫", "本人", "發問者", "发问者", "我是", "家屬", "家属"),
    _ZH_RELATION_WORDS,
    ("姓",),
    ("叫", "名字是", "英文名"),
    ("敬上", "謹上", "谨上", "敬啟", "拜上"),
    ("上",),
    ("\n",),
)
_ZH_NAME_TAILS = (0, 0, 0, 0, 0, 0, 16, 16)

# Order matters: e-mails first (they may contain phone-like digits), labelled ids before
# bare ids, ids and birth dates before phones (an SSN or a date is not a phone number),
# numbers before addresses, names last (a label such as "聯絡人" may precede a phone).
_PASSES: tuple[_Pass, ...] = (
    _Pass("EMAIL", re.compile(_EMAIL), _value_span, ("@",)),
    _Pass("EMAIL", re.compile(_EMAIL_SPELLED), _value_span, (" at ", "(at)", "[at]", "{at}")),
    _Pass(
        "ID",
        re.compile(_ID_LABELED),
        _labeled_id_span,
        (
            *_any_of(
                "passport|medical record|chart|patient|mrn|nhi|insurance|identity|hkid|student|"
                "resident|arc|social security|ssn|policy|member|account|claim|id|i.d"
            ),
            *_ZH_ID_WORDS,
        ),
        re.compile(r"\d{4}|\d[\d\- ]{3,}\d"),
    ),
    _Pass("ID", re.compile(_ID), _value_span, test=_ID_HINT),
    _Pass(
        "DOB",
        re.compile(_DOB),
        _value_span,
        ("born", "birth", "dob", "d.o.b", "出生", "生日", "生於", "生于", "出世", "誕生", "月生"),
    ),
    _Pass(
        "PHONE",
        re.compile(_PHONE_LABELED),
        _labeled_phone_span,
        _any_of(
            "phone|tel|mobile|cell|landline|line|whatsapp|wechat|fax|call|number|電話|电话|手機|手机|市話|"
            "市话|傳真|传真|號碼|号码|聯絡|联系|打"
        ),
        _SEVEN_DIGITS,
    ),
    _Pass("PHONE", re.compile(_PHONE), _phone_span, test=_SEVEN_DIGITS),
    _Pass("ADDRESS", re.compile(_EN_TAIWAN), _value_span, ("no.",)),
    _Pass(
        "ADDRESS",
        re.compile(_EN_STREET),
        _value_span,
        _any_of(
            "street| st|road| rd|avenue| ave|boulevard|blvd|lane| ln|drive|way|court| ct|place|"
            " pl|terrace|parkway|pkwy|highway|hwy"
        ),
        re.compile(r"\d"),
    ),
    _Pass("ADDRESS", re.compile(_ZH_ADDRESS), _value_span, test=_ZH_ADDRESS_HINT),
    _Pass(
        "NAME",
        re.compile(_EN_NAME_PATTERNS[0]),
        _value_span,
        _any_of("name|called|go by|call me|calls me|patient|contact|sender|signed|from:|from,"),
    ),
    _Pass(
        "NAME", re.compile(_EN_NAME_PATTERNS[1]), _value_span, ("i am", "i'm", "this is", "it's")
    ),
    _Pass("NAME", re.compile(_EN_NAME_PATTERNS[2]), _value_span, test=_EN_RELATION_TEST),
    _Pass(
        "NAME",
        re.compile(_EN_NAME_PATTERNS[3]),
        _value_span,
        ("thank", "regards", "best", "sincerely", "yours", "cheers", "bye", "love"),
        tail=120,
    ),
    *(
        _Pass("NAME", re.compile(p), _zh_name_span, triggers, _HAN_TEXT, tail)
        for p, triggers, tail in zip(
            _ZH_NAME_PATTERNS, _ZH_NAME_TRIGGERS, _ZH_NAME_TAILS, strict=True
        )
    ),
)


def find_spans(text: str, known_names: Sequence[str] = ()) -> list[Span]:
    """The identifiers in ``text``, sorted and non-overlapping.

    ``known_names`` are display names known to belong to the person (the asker's name on
    the page); each of their occurrences in the text is a ``NAME`` span too.
    """
    work = text.translate(_FOLD) if _FULL_WIDTH.search(text) else text
    lower = work.lower()
    spans: list[Span] = []
    for name in known_names:
        for start, end in _name_occurrences(work, name):
            spans.append(Span(start, end, "NAME"))
            work = _masked(work, start, end)
    for scrub_pass in _PASSES:
        if not scrub_pass.applies(work, lower):
            continue
        found = []
        for match in scrub_pass.matches(work):
            span = scrub_pass.span(match)
            if span is not None and span[1] > span[0]:
                found.append(Span(span[0], span[1], scrub_pass.kind))
        for span in found:
            work = _masked(work, span.start, span.end)
        spans.extend(found)
    return sorted(spans)


def scrub_text(text: str, known_names: Sequence[str] = ()) -> str:
    """``text`` with every span ``find_spans`` finds replaced by its kind's placeholder."""
    spans = find_spans(text, known_names)
    if not spans:
        return text
    parts = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(PLACEHOLDERS[span.kind])
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def _masked(text: str, start: int, end: int) -> str:
    return text[:start] + _MASK * (end - start) + text[end:]


def _name_occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Where a display name occurs as a name: whole words for Latin script, anywhere for
    Chinese, never as a doctor's name ("Dr. Chen", "陳醫師")."""
    name = " ".join(name.translate(_FOLD).split())
    if len(name) < 2 or name.casefold() in _GENERIC_NAMES:
        return []
    latin = name.isascii()
    if latin and len(name) < 3:
        return []
    edge = r"(?<![A-Za-z])" if latin else ""
    tail = r"(?![A-Za-z])" if latin else ""
    doctor_before = r"(?<!Dr\.\s)(?<!Dr\s)(?<!Doctor\s)(?<!Dr\.)"
    doctor_after = r"(?!\s?(?:醫師|医师|醫生|医生|大夫|院長|院长|主任|教授))"
    pattern = re.compile(
        doctor_before + edge + re.escape(name).replace(r"\ ", r"\s+") + tail + doctor_after
    )
    return [match.span() for match in pattern.finditer(text)]
