"""How people write, said the way the planner reads: Hindi and Hinglish function words in Latin
script ("bhej do", "kitna baaki hai", "pichle mahine"), filler ("bhai", "yaar") and corrections
("nahi 10 kar do") become their plain English equivalents before intents are scored.

The particles that mark a name in Hinglish ("X ka", "X ke liye") are kept: the planner finds
customers' names by them. Only words about the request change: names the world knows (a product, a customer, an alias
that happens to be a Hindi word) are left as written, so no entity is ever rewritten. The
rules are about the language, never about a world; numbers and unit words are the vocabulary's
(core, through agent.nlu.numbers), not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (pattern, replacement), tried in order: longer and more specific phrases first. Patterns are
# whole words, case-insensitive; a replacement of "" drops the words.
_RULES: list[tuple[str, str]] = [
    # damage and stock movements
    (
        r"(?:damage|damaged|kharab|toot\w*)\s+(?:me|mein|main|mai|wale|wali)\s+(?:daal|dal|daalo|dalo|kar|rakh)\w*(?:\s+(?:do|dena|dijiye|de))?",
        "mark damaged",
    ),
    (
        r"(?:toot|tut|phat|fat)\s*(?:gaya|gayi|gaye|gai|gye|gya)|tooti|tuti|tuta|toota|phata|phati"
        r"|kharab\s+ho\s+(?:gaya|gayi|gaye|gya)|leak\s+ho\s+(?:gaya|gayi|gaye|raha|rahi)|sad\s+(?:gaya|gayi|gaye)",
        "damaged",
    ),
    (r"(?:maal|stock|goods|saaman|saman)\s+(?:aaya|aya|aa\s+gaya|aa\s+gya|aayi|aaye|mila|aa\s+gayi)", "goods received"),
    # goods that left
    (
        r"(?:nikal|nikl)\s+(?:gaya|gayi|gaye|gya)|(?:load|loading)\s+(?:ho\s+gaya|ho\s+gayi|kar\s+diya|kar\s+diye|hua)"
        r"|(?:rawana|ravana)\s+(?:ho\s+gaya|kar\s+diya|kiya)",
        "shipped",
    ),
    # corrections of the order being put together ("nahi 10 kar do", "5 box kar do", "ek dabba aur badha do",
    # "650 chahiye 500 nahi")
    (
        r"(\d+(?:\.\d+)?\s?(?:mg|mcg|g|gm|ml|kg|ltr|l)?)\s+(?:wala|wali|wale|vala|vali)"
        r"\s+(?:kar|karo|kardo|kr|krdo)\s*(?:do|dena|dijiye|de)?",
        r"the \1 one",
    ),
    (
        r"aur\s+(?:badha|badhaa|bada|badhao|badhaao|badha\s+do|daal|dal|daalo|dalo|jod|jodo)\s*(?:do|dena|dijiye|de)?",
        "more",
    ),
    (r"(?:badha|badhaa|badhao|badhaao|bada)\s*(?:do|dena|dijiye|de)?\b", "increase"),
    (r"(ek|do|teen|char|paanch|\d+)\s+aur", r"\1 more"),
    (r"(\d+(?:\s+[a-z]+)?)\s+(?:kam|km)\s*(?:kar|karo|kardo|kr|krdo)?\s*(?:do|dena|dijiye|de)?", r"reduce by \1"),
    (
        r"(\d+\s?(?:mg|mcg|g|gm|gms|ml|kg|ltr|l)?)\s+(?:wala|wali|wale\s+)?(?:chahiye|chaiye|chahie|chaahiye)\s*,?\s*"
        r"(\d+\s?(?:mg|mcg|g|gm|gms|ml|kg|ltr|l)?)\s+(?:wala|wali|wale\s+)?(?:nahi|nahin|nai|nhi)\b",
        r"\1 not \2",
    ),
    (
        r"(\d+(?:\.\d+)?(?:\s+[a-z]+)?)\s+(?:kar|karo|kardo|kr)\s*(?:do|dena|dijiye|de|na)?(?=\s|$|[.,!?])",
        r"make it \1",
    ),
    (r"(?:hata|hta|nikal|nikaal|remove\s+kar|remove)\s*(?:do|dena|dijiye|de|o)?\b|hatao|nikalo|hatado", "remove"),
    # actions said with karo / kar do
    (r"(?:cancel|radd|rad|khatam)\s+(?:karo|kar\s*do|kardo|karna|kar\s+dijiye|kr\s*do|krdo)", "cancel"),
    (
        r"(?:approve|manzoor|manjoor|pass)\s+(?:karo|kar\s*do|kardo|karna|kar\s+dijiye|kr\s*do|krdo)"
        r"|manzoor|manjoor",
        "approve",
    ),
    (r"(?:reject|mana|na\s*manzoor)\s+(?:karo|kar\s*do|kardo|karna|kar\s+dijiye|kr\s*do|krdo)", "reject"),
    (r"(?:dispatch|ship)\s+(?:karo|kar\s*do|kardo|karna|kar\s+dijiye|kr\s*do|krdo)", "dispatch"),
    (
        r"(?:deliver|delivery)\s+(?:ho\s+(?:gaya|gayi|gaye|gya)|hua|hui|kar\s*(?:di|diya|diye))"
        r"|(?:pahunch|pahuch|pohoch|pohonch|pahunchi)\s*(?:gaya|gayi|gaye|gya)?",
        "delivered",
    ),
    (r"(?:order|book)\s+(?:karo|kar\s*do|kardo|karna|kar\s+dijiye|lagao|laga\s+do|kr\s*do|krdo)", "order"),
    (r"(?:likh|note\s+kar)\s*(?:lo|lijiye|do|o)\b|likho", "order"),
    # payments
    (r"(?:jama|jamaa)\s+(?:kiya|kiye|kiyi|karaya|karaye|kar\s+diya|kar\s+diye|kraya|kiye\s+hain)", "paid"),
    (r"collect\s+(?:kiya|kiye|kar\s+liya|kar\s+liye|kiya\s+hai|kr\s+liya)", "collected"),
    (r"(?:de|di)\s+(?:diya|diye|di|diyaa)|(?:le|li)\s+(?:liya|liye|li)", "paid"),
    (
        r"(?:(?<=\d\s)|(?<=\dk\s)|(?<=lakh\s)|(?<=lac\s)|(?<=hazaar\s)|(?<=hazar\s)|(?<=rupees\s)|(?<=rupaye\s)|(?<=/-\s))"
        r"(?:diye|diya|di|bheje|bheja)|(?<=cash\s)(?:diye|diya|di)|(?<=upi\s)(?:diye|diya|kiye|kiya)"
        r"|(?:(?<=\d\s)|(?<=\dk\s)|(?<=lakh\s)|(?<=hazaar\s)|(?<=cash\s)|(?<=upi\s)|(?<=cheque\s)|(?<=rs\s))"
        r"(?:mila|mile|mil\s+gaya|mil\s+gaye|aaya|aaye|aa\s+gaya|liya|liye|le\s+liya)",
        "paid",
    ),
    (r"kab\s+tak|kabtak|kis\s+din\s+tak", "by when"),
    (r"nakad|nagad|naqad|cash\s+(?:me|mein|main)", "cash"),
    (r"paise|paisa|paisay|rupaye|rupaiye|rupay|rupye", "rs"),
    # what is owed ("kitna dena hai" is a debt, not a send)
    (
        r"(?:baaki|baki|bakaya|bakaaya|udhaar|udhar|udhari|dena|dene)\s+(?:hai|h|he|hain|bacha|bacha\s+hai)",
        "outstanding",
    ),
    # ordering
    (r"(?:bhej|bhij|bhejw|bhijw|bhijwa|bhejwa)\w*(?:\s+(?:do|dena|dijiye|dijie|de|doge|dete))?", "send"),
    (r"(?:de|dijiye|dijie)\s+(?:do|dena|dijiye|dijie)|dedo|dena|dijiye|dijie", "send"),
    (
        r"chahiye|chaiye|chahie|chahiyee|chaahiye|chahte|chahta\s+(?:hun|hoon|hu)|chahti\s+(?:hun|hoon|hu)"
        r"|mangta|mangwa\w*|mangao|mangana",
        "need",
    ),
    (r"(?:daal|dal|daalo|dalo|jod|jodo)\s*(?:do|dena|dijiye|de)?\b", "add"),
    # policy questions ("maal wapas hoga kya", "kitne din me payment karna hai")
    (
        r"(?:wapas|waapas|vapas|vaapas|wapis|vapis)\s+(?:karna|kar\s+sakte|kar\s+skte|le\s+lenge|lenge|le\s+loge|"
        r"hoga|hogi|honge|ho\s+sakta|ho\s+sakti|hota|hoti|kaise|karne)|(?:wapas|waapas|vapas|vaapas|wapis|vapis)"
        r"|(?:return|exchange)\s+(?:kar\s+sakte|kar\s+skte|ho\s+sakta|hoga|hogi|karna|kaise)",
        "return",
    ),
    (r"(?:kitne|kitna)\s+(?:din|dino|dinon)", "how many days"),
    (r"(?:kar|kr)\s+(?:sakte|skte|sakta|sakti|sakenge)", "can"),
    (r"maal|saaman|saman", "goods"),
    (r"hoga|hogi|honge|hota|hoti|hote|hua|hui|hue", "is"),
    (r"(?<=how many days )(?:me|mein|main|mai)", "within"),
    # questions
    (r"(?:dikha|dikhao|dikhaiye|dikhana|dikha\s+do|bata|batao|bataiye|bataye|bata\s+do|batana)\b", "show"),
    (r"kitna|kitne|kitni|kitnaa", "how much"),
    (r"baaki|baki|bakaya|bakaaya|udhaar|udhar|udhari", "outstanding"),
    (r"hisaab|hisab|khata|khaata", "balance"),
    (r"(?:kab\s+tak)", "when"),
    (r"kahan|kaha|kidhar|kahaan", "where"),
    (r"kaunsa|konsa|kaunse|konse|kaun\s+sa|kon\s+sa|kaun\s+se|kon\s+se|kis", "which"),
    (r"kaun|kon", "who"),
    (r"kab", "when"),
    (r"kya|kyaa", "what"),
    (r"(?:tumhare|aapke|apke|tumhaare)\s+(?:paas|pas)", "do you have"),
    (r"sabse\s+(?:zyada|jyada|jada|adhik|badhiya|best)", "top"),
    (r"sabse\s+kam", "lowest"),
    (r"(?:order|orders)\s+(?:nahi|nahin|nai)\s+(?:kiya|kiye|diya|diye|aaya|aya|mila)", "have not ordered"),
    (
        r"(?:expire|expiry|expiri)\s+(?:ho\s+(?:raha|rahe|rahi|ne\s+wala|ne\s+wale|ne\s+wali|gaya|gaye|gayi|chuka|chuke)"
        r"|hone\s+(?:wala|wale|wali)|aane\s+(?:wala|wale|wali))",
        "expiring",
    ),
    (
        r"(?:khatam|khtm)\s+(?:ho\s+(?:raha|rahe|rahi|ne\s+wala|ne\s+wale|ne\s+wali)|hone\s+(?:wala|wale|wali))"
        r"|kam\s+ho\s+(?:raha|rahe|rahi)",
        "running low",
    ),
    (r"kam\s+stock|stock\s+kam", "low stock"),
    (r"khatam|khtm", "out of stock"),
    (r"daam|dam|bhav|bhaav|rate\s+kya", "price"),
    (r"chhoot|chhut|chut|chhot", "discount"),
    (r"bikri|bikree|bechi|becha|biki|bika", "sales"),
    # time
    (r"(?:is|iss|yeh|ye)\s+(?:mahine|mahina|month)", "this month"),
    (r"(?:pichle|pichhle|pichla|pichhla|last|pichli)\s+(?:mahine|mahina)", "last month"),
    (r"(?:is|iss|yeh|ye)\s+(?:hafte|hafta|week)", "this week"),
    (r"(?:pichle|pichhle|pichla|pichhla|last)\s+(?:hafte|hafta)", "last week"),
    (r"(?:is|iss)\s+saal", "this year"),
    (r"(?:pichle|pichhle|pichla|last)\s+saal", "last year"),
    (r"mahine|mahina|mahino", "months"),
    (
        r"(?:pichli|pichhli|pichle|pichhle|last|pehle|pahle)\s+(?:baar|bar|dafa|dafe|time|wala|wali|wale)\s+"
        r"(?:jaisa|jaisi|jaise|wala|wali|wale|vala|vali)(?:\s+(?:hi|he))?|(?:jaisa|jaise)\s+pichli\s+baar",
        "same as last time",
    ),
    (r"pichla|pichhla|pichli|pichhli|pichle|pichhle", "last"),
    (r"dobara|dobaara|dubara|dubaara|phir\s+se|fir\s+se|phirse|firse|wapis\s+se", "again"),
    (r"wahi|wohi|vahi|vohi|waisa\s+hi|vaisa\s+hi", "same"),
    (r"hafte|hafta|hafton", "weeks"),
    (r"(?<=\d\s)din|(?<=\d)din", "days"),
    (r"aaj|aj", "today"),
    (r"abhi", "now"),
    # yes, no, more, only
    (r"(?:nahi|nahin|nai|nhi|mat)", "no"),
    (r"theek\s+hai|thik\s+hai|thik\s+h|theek\s+h", "ok"),
    (r"(?:haan|haanji|han|haa)(?:\s+ji)?", "yes"),
    (r"sirf|bas", "only"),
    (r"aur\s*$", "more"),
    (r"aur", "and"),
    (r"bhi", "also"),
    (r"(?:mera|meri|mere|apna|apni|apne|mujhe|muje|mjhe|hume|humein|hamein)", "my"),
    (r"(?:hamara|humara|hamare|humare|hamari|humari)", "our"),
    (r"koi", "any"),
    (r"sab|sabhi|saare|sare|saara", "all"),
    (r"se", "from"),
    (r"(?:mein|mai|mei)", "in"),
    # filler
    (
        r"bhai|bhaiya|bhaiyya|bhaisaab|bhaisahab|bhayya|yaar|yar|ji|zara|jara|jaldi(?:\s+se)?|jldi|thoda|na|ne"
        r"|wala|wali|wale|waala|waali|hai|hain|ho|tha|thi|karo|kar\s*do|kardo|kijiye|karna",
        "",
    ),
]
_COMPILED = [(re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I), r) for p, r in _RULES]
_GREETING = re.compile(
    r"^\s*(?:hi+|hello+|hey+|hlo|helo|namaste|namaskar|namaskaram|ram\s+ram|jai\s+shri\s+krishna|sat\s+s(?:h)?ri\s+akal|"
    r"salaam|salam|as+alam\w*\s*\w*|good\s+(?:morning|afternoon|evening|day)|gm|morning|yo|hola)"
    r"(?:\s+(?:there|ji|bhai|sir|madam|team|dost|boss|everyone|all))*[\s!.,]*$",
    re.I,
)
_HELP = re.compile(
    r"^\s*(?:help|madad|sahayata|menu|start|/start|/help|options|commands)[\s!?.]*$"
    r"|\b(?:what|wat|wht|wot) (?:all )?(?:can|could|cn) (?:you|u|i) (?:do|help|ask)\b|\bhow (?:can|do) (?:you|u) help\b"
    r"|\bwhat (?:do|does) (?:you|this bot|this assistant) do\b|\b(?:kya|kaise) (?:kar|madad) (?:sakte|skte|sakta)\b"
    r"|\bhow (?:do|does) (?:this|it) work\b|\bwhat are (?:your|the) (?:features|options|commands)\b"
    r"|\bwho are you\b|\bhelp me\s*$|\bi need help\s*$",
    re.I,
)


def normalise(text: str, knows_word: Callable[[str], bool] | None = None) -> str:
    """`text` with its Hinglish and filler words in plain English; words the world knows (names,
    aliases) are kept as they are. The result is what the intent rules read; names and
    quantities are still found in it, since they are never rewritten."""
    protected: list[tuple[int, int]] = []
    if knows_word is not None:
        for m in re.finditer(r"[A-Za-z][\w'-]*", text):
            if len(m[0]) > 2 and knows_word(m[0]):
                protected.append(m.span())
    out = text
    for rx, repl in _COMPILED:
        out = _sub_outside(rx, repl, out, protected) if protected else rx.sub(repl, out)
        if protected:  # spans move as words are replaced: find the kept words again
            protected = _relocate(out, text, protected)
    out = re.sub(r"\s+([,;:])", r"\1", re.sub(r"\s{2,}", " ", out)).strip()
    return re.sub(r"^[,;:.!-]+\s*", "", out)  # "bhai, only the open ones": no comma left in front


def _sub_outside(rx: re.Pattern, repl: str, text: str, protected: list[tuple[int, int]]) -> str:
    def keep(m: re.Match) -> str:
        if any(a < m.end() and m.start() < b for a, b in protected):
            return m[0]
        return m.expand(repl)

    return rx.sub(keep, text)


def _relocate(now: str, original: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where the protected words of `original` stand in `now` (in order, each once)."""
    out, pos = [], 0
    for a, b in spans:
        word = original[a:b]
        i = now.find(word, pos)
        if i < 0:
            continue
        out.append((i, i + len(word)))
        pos = i + len(word)
    return out


def is_greeting(text: str) -> bool:
    return bool(_GREETING.match(text))


def asks_for_help(text: str) -> bool:
    return bool(_HELP.search(text))
