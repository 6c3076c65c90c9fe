"""Word banks the demo site builds its pages from.

Small, hand-picked and in code (no data files, no network) so a seeded generator can produce
thousands of varied but plausible pages. Every sentence ends with terminal punctuation and
every heading has none, because that is how a reader (and the label-anchored parser) tells a
sub-heading from body text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Department:
    """A medical department with the vocabulary its questions use."""

    name: str
    slug: str
    organ: str
    conditions: tuple[str, ...]
    symptoms: tuple[str, ...]
    tests: tuple[str, ...]
    faq_topics: tuple[str, ...]


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Gastroenterology and Hepatology",
        "gastroenterology-and-hepatology",
        "liver",
        ("liver calcifications", "fatty liver", "hepatic hemangioma", "gallstones", "gastritis"),
        ("upper abdominal pain", "bloating after meals", "yellowish skin", "dark urine"),
        ("abdominal ultrasound", "liver function test", "CT scan", "endoscopy"),
        (
            "Liver Fibrosis",
            "Jaundice",
            "Liver Nodules",
            "Hepatitis",
            "Cholecystitis",
            "Liver Tumor",
            "Gastritis",
            "Hepatic Hemangioma",
            "Abdomen",
            "Stool",
        ),
    ),
    Department(
        "Cardiology",
        "cardiology",
        "heart",
        ("arrhythmia", "mitral valve prolapse", "high blood pressure", "premature beats"),
        ("chest tightness", "palpitations at night", "shortness of breath", "dizziness"),
        ("electrocardiogram", "Holter monitor", "echocardiogram", "treadmill test"),
        ("Arrhythmia", "Hypertension", "Chest Pain", "Palpitations", "Heart Murmur", "Angina"),
    ),
    Department(
        "Dermatology",
        "dermatology",
        "skin",
        ("eczema", "seborrheic dermatitis", "urticaria", "fungal infection", "acne scars"),
        ("itchy red patches", "peeling skin on the hands", "small blisters", "dark spots"),
        ("skin biopsy", "fungal scraping", "patch test", "allergy blood test"),
        ("Eczema", "Hives", "Acne", "Psoriasis", "Moles", "Hair Loss", "Warts"),
    ),
    Department(
        "Neurology",
        "neurology",
        "brain",
        ("migraine", "tension headache", "peripheral neuropathy", "essential tremor"),
        ("numbness in the fingers", "throbbing headaches", "hand tremor", "blurred vision"),
        ("MRI", "nerve conduction study", "EEG", "brain CT"),
        ("Headache", "Dizziness", "Numbness", "Sleep Problems", "Tremor", "Stroke"),
    ),
    Department(
        "Orthopedics",
        "orthopedics",
        "knee",
        ("a meniscus tear", "plantar fasciitis", "a herniated disc", "tennis elbow"),
        ("knee pain when climbing stairs", "lower back pain", "a swollen ankle", "stiff joints"),
        ("X-ray", "MRI", "bone density scan", "ultrasound of the joint"),
        ("Knee Pain", "Sciatica", "Fracture", "Scoliosis", "Sprain", "Frozen Shoulder"),
    ),
    Department(
        "Obstetrics and Gynecology",
        "obstetrics-and-gynecology",
        "uterus",
        ("ovarian cysts", "uterine fibroids", "irregular periods", "endometriosis"),
        ("lower abdominal cramps", "spotting between periods", "heavy bleeding", "back pain"),
        ("pelvic ultrasound", "Pap smear", "hormone blood test", "HPV test"),
        ("Menstruation", "Pregnancy", "Ovarian Cyst", "Fibroids", "Contraception", "Menopause"),
    ),
    Department(
        "Urology",
        "urology",
        "kidney",
        ("kidney stones", "a urinary tract infection", "prostate enlargement", "hematuria"),
        ("frequent urination", "flank pain", "burning when urinating", "cloudy urine"),
        ("urinalysis", "kidney ultrasound", "PSA test", "cystoscopy"),
        ("Kidney Stones", "Prostate", "Urinary Incontinence", "Hematuria", "Cystitis"),
    ),
    Department(
        "Ophthalmology",
        "ophthalmology",
        "eye",
        ("floaters", "dry eye", "glaucoma", "a retinal tear", "myopia"),
        ("flashes of light", "eye strain", "red eyes in the morning", "blurry vision"),
        ("dilated eye exam", "eye pressure test", "OCT scan", "visual field test"),
        ("Floaters", "Dry Eye", "Glaucoma", "Cataract", "Myopia", "Conjunctivitis"),
    ),
    Department(
        "Otolaryngology",
        "otolaryngology",
        "throat",
        ("chronic sinusitis", "tonsil stones", "tinnitus", "acid reflux in the throat"),
        ("a sore throat", "ringing in the ears", "a blocked nose", "hoarseness"),
        ("nasal endoscopy", "hearing test", "laryngoscopy", "sinus CT"),
        ("Tinnitus", "Sinusitis", "Tonsillitis", "Hoarseness", "Nosebleed", "Vertigo"),
    ),
    Department(
        "Family Medicine",
        "family-medicine",
        "body",
        ("high cholesterol", "a lingering cold", "vitamin D deficiency", "chronic fatigue"),
        ("tiredness in the afternoon", "a mild fever", "weight loss", "night sweats"),
        ("blood test", "health check", "thyroid function test", "chest X-ray"),
        ("Fever", "Cold", "Cholesterol", "Fatigue", "Vaccination", "Health Check"),
    ),
    Department(
        "Psychiatry",
        "psychiatry",
        "mind",
        ("anxiety", "insomnia", "panic attacks", "low mood"),
        ("racing thoughts at night", "trouble falling asleep", "a tight chest when stressed"),
        ("sleep diary", "mood questionnaire", "blood test", "psychological assessment"),
        ("Anxiety", "Depression", "Insomnia", "Panic Disorder", "Stress", "ADHD"),
    ),
    Department(
        "Pediatrics",
        "pediatrics",
        "child",
        ("a persistent cough", "a food allergy", "growth delay", "recurrent fever"),
        ("a rash after eating", "poor appetite", "coughing at night", "a runny nose"),
        ("growth chart review", "allergy test", "chest X-ray", "blood count"),
        ("Child Fever", "Vaccines", "Growth", "Allergy", "Diarrhea", "Croup"),
    ),
)

SURNAMES: tuple[str, ...] = (
    "Chen",
    "Lin",
    "Huang",
    "Chang",
    "Lee",
    "Wang",
    "Wu",
    "Liu",
    "Tsai",
    "Yang",
    "Hsu",
    "Cheng",
)
GIVEN_NAMES: tuple[str, ...] = (
    "Shidian",
    "Jingwen",
    "Sirong",
    "Yuting",
    "Weiming",
    "Chiahao",
    "Meiling",
    "Kuanyu",
    "Hsinyi",
    "Tzuhan",
    "Pohsun",
    "Yachi",
)
#: Asker names as people type them: surnames, full names with a space, Chinese names.
ASKER_NAMES: tuple[str, ...] = (
    "Chen",
    "Lin",
    "Wang",
    "Mary Lee",
    "Huang",
    "Kevin Wu",
    "Tsai",
    "Amy",
    "陳小姐",
    "林先生",
    "Yihsin",
)

#: Age phrases exactly as the asker line shows them, with their inclusive bounds.
AGE_FORMS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under 18", None, 17),
    ("20~29 year old", 20, 29),
    ("30~39 year old", 30, 39),
    ("40-49 years old", 40, 49),
    ("50~59 year old", 50, 59),
    ("45 years old", 45, 45),
    ("33 years old", 33, 33),
    ("65 and above", 65, None),
)

SEO_TITLES: tuple[str, ...] = (
    "Understanding {Cond}: What You Need to Know",
    "{Cond} Explained: Causes, Concerns, and Follow-Up",
    "Is {Sym} a Sign of {Cond}? Expert Insights",
    "Managing {Cond}: When to See a Doctor",
    "{Sym} and {Cond}: Risks and Next Steps",
    "What Your {Test} Results Mean for {Cond}",
)

QUESTION_TITLES: tuple[str, ...] = (
    "Can {cond} cause {sym}?",
    "Is {sym} something to worry about?",
    "Should I be concerned about {cond}?",
    "What does my {test} result mean?",
    "Why do I still have {sym}?",
    "Does {cond} need treatment?",
)

QUESTION_SENTENCES: tuple[str, ...] = (
    "I would like to ask the doctor whether {cond} can get worse over time.",
    "During my last {test}, the finding measured {a}.{b} cm, but this time it was {c}.{d} cm.",
    "For about {n} weeks I have had {sym}, mostly in the evening.",
    "My previous doctor said it was probably {cond} and asked me to come back in {n} months.",
    "I am worried because my father had {cond} when he was younger.",
    "Is there anything I should avoid eating or doing while I wait for the next {test}?",
    "I have also noticed {sym2}, and I am not sure whether the two are related.",
    "The report mentioned my {organ}, but nobody explained what the numbers mean.",
)

CJK_SENTENCES: tuple[str, ...] = (
    "請問醫生，這種情況需要擔心嗎？",
    "我最近常常覺得頭暈，晚上也睡不好。",
    "謝謝醫生撥空回覆！",
    "檢查報告上寫著「建議追蹤」，請問多久要回診一次？",
)

REPLY_OPENERS: tuple[str, ...] = ("Hello!", "Hello, thank you for your question.", "Hi,", "")

REPLY_SENTENCES: tuple[str, ...] = (
    "It may be a measurement difference between examinations.",
    "{cond} is usually benign, so there is no need to worry too much.",
    "I suggest a follow-up {test} in {n} months to compare the size.",
    "If {sym} gets worse, please see a doctor in person for an examination.",
    "Changes of a few millimetres are often within the error of the {test}.",
    "Please bring your previous reports so the doctor can compare them directly.",
    "Most people with {cond} do well with regular monitoring and a healthy lifestyle.",
    "Wishing you good health!",
)

SECTION_HEADINGS: tuple[str, ...] = (
    "Understanding {Cond}",
    "Possible Causes",
    "Types of {Cond}",
    "Monitoring and Follow-Up",
    "Symptoms and Clinical Correlation",
    "Treatment Options",
    "Lifestyle Recommendations",
    "When to Seek Care",
)

EXPLANATION_SENTENCES: tuple[str, ...] = (
    "{cond} can change over time, and the context of your {test} results matters a great deal.",
    "It is often detected incidentally during imaging studies such as a {test}.",
    "Your healthcare provider may recommend further evaluation to rule out other causes.",
    "In many cases {cond} is benign and does not require any specific treatment.",
    "Regular follow-up helps ensure that any potential issues are identified early.",
    "Symptoms such as {sym} should be reported to your physician promptly.",
    "Lifestyle factors, including diet, sleep and exercise, can influence {cond}.",
    "A detailed history helps your doctor interpret the findings in the {organ}.",
    "Comparing images taken on the same machine reduces measurement differences.",
    "Always discuss your concerns with your doctor to tailor the best approach for you.",
)

LIST_ITEMS: tuple[str, ...] = (
    "Keep a diary of when {sym} happens and how long it lasts.",
    "Bring previous {test} reports to every appointment.",
    "Limit alcohol and highly processed food.",
    "Sleep seven to eight hours a night when possible.",
    "Seek urgent care if the pain becomes severe or sudden.",
    "Take medication only as prescribed by your doctor.",
    "Schedule the next {test} before you leave the clinic.",
)

CONCLUSIONS: tuple[str, ...] = (
    "In summary, {cond} is common and usually manageable with regular follow-up.",
    "In summary, discuss the {test} results with your doctor and keep to the follow-up plan.",
)

EDIT_SENTENCES: tuple[str, ...] = (
    "Update: after reviewing the new {test} report, the findings remain stable.",
    "Update: please repeat the {test} sooner if {sym} returns.",
    "Additional note: recent guidelines recommend annual monitoring of {cond}.",
)

UNANSWERED_NOTICES: tuple[str, ...] = (
    "This question has not been answered yet.",
    "Awaiting a doctor's reply.",
)

DATE_FORMATS: tuple[str, ...] = ("%Y/%m/%d", "%Y-%m-%d", "%b %d, %Y")

TABLE_HEADERS: tuple[str, ...] = ("Test", "When", "Purpose")
TABLE_PURPOSES: tuple[str, ...] = (
    "Compare size with earlier images",
    "Check organ function",
    "Rule out infection",
    "Look for structural changes",
)
TABLE_WHEN: tuple[str, ...] = ("Every 6 months", "Once a year", "If symptoms change", "Now")
