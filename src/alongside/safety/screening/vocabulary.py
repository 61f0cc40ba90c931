"""English phrase vocabularies the crisis rules are built from.

Each name is one idea a clinician would recognise — an intent frame, a lethal act, a timeframe,
means made ready, a final act — written as an alternation over normalised text (casefolded,
slang expanded, single spaces, straight apostrophes). The rules in ``crisis_en`` combine them;
keeping the vocabularies apart lets a reviewer extend "timeframe" once for every rule that uses it.
"""

from __future__ import annotations

import re

__all__ = ["alt", "compile_alt"]


def alt(*options: str) -> str:
    """A non-capturing alternation of regex fragments."""
    return "(?:" + "|".join(options) + ")"


def compile_alt(*options: str) -> re.Pattern[str]:
    """Compile an alternation bounded by word edges."""
    return re.compile(r"(?<![\w'])" + alt(*options) + r"(?![\w'])")


DAY = alt("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
I_AM = alt("i'm", "im", "i am")
# One optional word that is not a negation ("i'm really going to", never "i'm not going to").
NOT_NEG = r"(?:(?!(?:not|never|no|don't|won't|can't|isn't|wasn't)\b)\w+ )"
I_HAVE = alt("i've", "ive", "i have")

# When: a timeframe turns an intent into an emergency.
TIME = alt(
    r"tonight(?:'s the night)?",
    r"this time (?:tomorrow|next week)",
    r"(?:this|the) (?:nicht|morra)",
    r"today",
    r"tomorrow(?: (?:morning|night|evening|afternoon))?",
    rf"this (?:weekend|week|evening|afternoon|morning|{DAY})",
    rf"(?:on |by |next |this |after |before )?{DAY}",
    r"next (?:week|month)",
    r"by the end of (?:the|this) (?:week|month|day)",
    r"(?:before|by) the end of (?:the|this) (?:week|month|day|year)",
    r"after (?:dark|work|school|college|class|my (?:\w+ )?shift|everyone|they|the kids|"
    r"i post this|dinner|tea|lunch|the funeral|christmas)",
    r"after (?:everyone|they|the kids|he|she)(?:'s|'re| is| are| has| have)? "
    r"(?:gone|asleep|in bed)",
    r"as soon as",
    r"after (?:my |the |our )?(?:\w+ )?(?:parents|family|mum|mom|dad|everyone|kids|husband|wife|"
    r"partner|flatmate|housemates?)(?:'s|'re)? (?:go|goes|have gone|has gone|are|is|gone) "
    r"(?:to sleep|to bed|out|asleep|away|to work)",
    r"when (?:everyone|they|he|she|my \w+|the house|the kids|mum|dad)(?:'s|'re| is| are| goes| go|"
    r" leaves?)",
    r"before (?:morning|christmas|the weekend|my birthday|new year|anyone|sunrise)",
    r"at (?:\d{1,2}(?::\d\d)?(?: ?[ap]m)?|lunch|midnight|dawn)",
    r"by (?:morning|tomorrow|the morning|then)",
    r"right now",
    r"in (?:an|a few|\d+) (?:hours?|minutes?|mins?)",
    r"(?:my|the) (?:birthday|bday)",
    r"(?:the )?\d{1,2}(?:st|nd|rd|th)",
    r"now",
    r"soon",
    r"tide's high",
)

# Medicines people overdose on, by name, so "the whole packet of my sertraline" is read right.
MEDICINE = alt(
    r"sertraline",
    r"fluoxetine",
    r"citalopram",
    r"escitalopram",
    r"venlafaxine",
    r"mirtazapine",
    r"amitriptyline",
    r"quetiapine",
    r"olanzapine",
    r"lithium",
    r"diazepam",
    r"zopiclone",
    r"co codamol",
    r"codeine",
    r"tramadol",
    r"aspirin",
    r"propranolol",
    r"sleeping (?:pills|tablets)",
    r"antidepressants",
    r"painkillers",
)

# What: acts that end or endanger life, as the object of an intent frame.
ACT_STRONG = alt(
    r"kill(?:ing)? myself",
    r"tak(?:e|ing) myself out(?! (?:for|to|of|on|with)\b)",
    r"(?:top(?:ping)?|off(?:ing)?) myself",
    r"put(?:ting)? an end to (?:it|it all|everything|my life|myself)",
    r"(?:gas|poison|suffocate|electrocute|stab|starve)(?:s|ing)? myself",
    r"end(?:ing)? (?:it all|my (?:own )?life|everything|things|it)",
    r"tak(?:e|ing) my (?:own )?life",
    r"(?:commit(?:ting)? )?suicide",
    r"overdos(?:e|ing)",
    r"hang(?:ing)? myself",
    r"jump(?:ing)? (?:off|from|out of) (?:the |a |my |our |that )?(?:\w+ ){0,2}(?:bridge|roof|"
    r"building|cliffs?|multi storey|car park|balcony|window|tower|block|ledge|flats|motorway|"
    r"overpass|station|top floor)",
    r"jump(?:ing)? in front",
    r"jump(?:ing)? into the (?:river|sea|water|traffic|canal|lake|quarry)",
    r"throw(?:ing)? myself",
    r"step(?:ping)? in front",
    r"walk(?:ing)? into the (?:sea|river|water|lake|traffic)",
    r"driv(?:e|ing) (?:\w+ ){0,3}(?:into|off)",
    r"crash(?:ing)? (?:my|the) car",
    r"drown(?:ing)? myself",
    r"cut(?:ting)? (?:myself|deep|my wrists?|my throat)",
    r"slit(?:ting)? my",
    r"shoot(?:ing)? myself",
    r"us(?:e|ing) (?:it|one|them) on (?:myself|my)",
    r"(?:go|going|head(?:ing)?|walk(?:ing)?) (?:out |down |up )?(?:to|towards) the "
    r"(?:bridge|cliffs?|tracks|roof|edge|river|sea|station)"
    r"(?! (?:club|game|party|class|match|walk|path|cafe|café|bar|pub|terrace))",
    r"to the (?:bridge|cliffs?|tracks)(?! (?:club|game|party|class|match|walk|path|cafe|café))",
    r"die",
    r"be dead",
    r"tak(?:e|ing) (?:them|it|these) all",
    r"swallow(?:ing)? (?:them|it|these|the \w+) all",
    r"swallow(?:ing)? (?:all|every|the whole)",
    r"tak(?:e|ing) all (?:of )?them",
    r"tak(?:e|ing) all (?:of )?(?:my|the|those|these|his|her) (?:\w+ )?(?:pills|tablets|meds|"
    r"medication|medicine|painkillers|" + MEDICINE + ")",
    r"tak(?:e|ing) everything",
    r"tak(?:e|ing) (?:every|each) (?:single )?(?:pill|tablet|one)",
    r"tak(?:e|ing) the (?:lot|overdose|pills|tablets)",
    r"mix(?:ing)? (?:all )?(?:my|the) (?:meds|pills|tablets)",
    r"kill(?:ing)? (?:myself|me)",
    r"starve myself to death",
    r"keep going until my (?:body|heart) (?:gives up|stops)",
    r"end it",
)
# Acts that name their own method ("hang myself", "in front of a train"): an intent to do one of
# these is an intent with a method, whatever else the post says.
METHOD_ACT = alt(
    r"hang(?:ing)? myself",
    r"(?:shoot|drown|gas|poison|electrocute|stab|suffocate)(?:ing)? myself",
    r"slit(?:ting)? my",
    r"cut(?:ting)? (?:my wrists?|my throat|deep)",
    r"jump(?:ing)? (?:off|from|out of) (?:the |a |my |our |that )?(?:\w+ ){0,2}(?:bridge|roof|"
    r"building|cliffs?|multi storey|car park|balcony|window|tower|block|ledge|flats|motorway|"
    r"overpass|viaduct|top floor)",
    r"jump(?:ing)? in front of",
    r"jump(?:ing)? into the (?:river|sea|traffic|canal|lake|quarry)",
    r"(?:step|walk|throw|jump|lie|lay)(?:ping|ing)? (?:myself )?(?:in front of|under|onto|off)"
    r" (?:a |the |an )?(?:\w+ )?(?:train|bus|lorry|truck|car|tracks|bridge|cliff|roof|building)",
    r"driv(?:e|ing) (?:\w+ ){0,3}(?:into|off)",
    r"crash(?:ing)? (?:my|the) car",
    r"overdos(?:e|ing) on",
)

ACT_WEAK = alt(
    r"do(?:ing)? it",
    r"drink(?:ing)? it",
    r"jump(?:ing)?",
    r"swallow(?:ing)? (?:them|it|the)",
    r"go(?:ing)? through with (?:it|this)",
    r"us(?:e|ing) (?:it|them)",
    r"(?:go|going) (?:there|somewhere quiet)",
)

# Who intends: first person, future or decided.
INTENT = alt(
    rf"{I_AM} {NOT_NEG}?(?:going to|about to|planning (?:to|on)|ready to)",
    r"i(?:'ll| will| shall)(?: \w+)?",
    rf"(?:{I_HAVE} )?(?:decided|chosen) (?:to|that i(?:'m| am| will|'ll)(?: going to)?)",
    r"(?:(?<=^)|(?<=[.!?,] )|(?<=tonight )|(?<=tomorrow )|(?<=and ))(?:going to|planning (?:to|on)|"
    r"about to)",
    r"i (?:plan|intend|mean) to",
    r"gonnae",
    rf"{I_AM} (?:actually |finally |definitely |really )?(?=taking|doing|ending|jumping|killing|"
    r"drinking|cutting|hanging|going to the|driving|walking|stepping|crashing|mixing|swallowing)",
    r"(?:(?<=^)|(?<=[.!?,] )|(?<=tonight )|(?<=tomorrow )|(?<=now ))(?=taking|ending|jumping|"
    r"mixing|"
    r"driving|going to the|going there|walking into|stepping)",
    r"\bi (?=(?:go|take|end|jump|do|drink|swallow|walk) )",
    r"it(?:'s| is) (?=suicide )",
    rf"{I_AM} (?=suicide )",
)

# The means: lethal methods and the words around them.
METHOD = alt(
    MEDICINE,
    r"pills?",
    r"tablets?",
    r"paracetamol",
    r"ibuprofen",
    r"meds",
    r"medication",
    r"antidepressants",
    r"painkillers",
    r"morphine",
    r"insulin",
    r"overdose",
    r"rope",
    r"noose",
    r"knot",
    r"bridge(?: at night)?",
    r"cliffs?",
    r"roof",
    r"train",
    r"platform",
    r"tracks",
    r"blades?",
    r"razors?",
    r"knife",
    r"knives",
    r"kitchen knife",
    r"gun",
    r"shotgun",
    r"charcoal",
    r"antifreeze",
    r"wrists?",
    r"vodka",
    r"medicine cabinet",
    r"multi storey",
    r"car park",
    r"window",
    r"sea",
    r"river",
    r"lorry",
    r"motorway",
)

# Means made ready: stockpiles, purchases, things laid out.
# Stockpiled medicine: a plan in itself, whatever else the post says.
STOCKPILE = alt(
    r"(?:saved|saving|stockpil\w+|stocking up|hoard\w+) (?:up )?(?:on )?(?:all )?(?:\w+ ){0,3}"
    r"(?:pills|tablets|meds|medication|paracetamol|morphine|insulin|painkillers|pill|"
    r"antidepressants|" + MEDICINE + ")",
    r"(?:pills|tablets|meds|morphine|paracetamol|insulin|painkillers) (?:\w+ ){0,2}(?:saved|"
    r"stockpiled|hoarded)",
)

MEANS_READY = alt(
    r"(?:collect(?:ed|ing)|gather(?:ed|ing)|kept|keeping) (?:up )?(?:on )?(?:all )?(?:\w+ ){0,3}"
    r"(?:pills|tablets|meds|medication|paracetamol|morphine|insulin|painkillers|pill|"
    r"antidepressants)",
    r"enough (?:of )?(?:\w+ ){0,2}(?:pills|tablets|meds|morphine|paracetamol|insulin) "
    r"(?:saved|stored|to)",
    r"\d{2,} (?:\w+ )?(?:pills|tablets|paracetamol|painkillers|capsules)",
    r"counting (?:them|the pills|the tablets)",
    r"(?:bought|got|have|found|tied|made|ordered) (?:a |the |some |new |my )?(?:rope|noose|"
    r"(?:razor )?blades|charcoal|helium|ligature|shotgun)",
    r"(?:the )?(?:rope|noose|blades?|charcoal|antifreeze|gun|shotgun|pills|tablets|knot)"
    r"(?:'s| is| are) (?:already )?(?:tied|ready|in my (?:hand|wardrobe|bag|pocket|car|room)|"
    r"on the (?:counter|table|desk)|lined up|up)",
    r"(?:rope|noose|knot|pills?|tablets) in (?:my|the) (?:wardrobe|garage|bag|car|room|loft|hand)",
    r"(?:have|got) the (?:razor )?(?:blades?|rope|pills|tablets|noose) ready",
    r"i know where (?:the|he keeps the|she keeps the|they keep the) (?:key|gun|pills)",
    r"(?:keeps?|kept) (?:his|her|a|the) (?:shotgun|gun|rifle|pistol)",
    r"(?:got|have) the (?:charcoal|rope|tape|hose)",
    r"i have the blade",
    r"(?:have|got|holding|brought|carrying) (?:the|a|my) (?:knife|blade|razor|rope|gun|noose|"
    r"pills|tablets)s? (?:with me|on me|in my (?:hand|pocket|bag)|next to me|here)",
    r"(?:the )?(?:pills|tablets|rope|noose|blades?|razors?|gun) (?:are|is) (?:all )?(?:in|under|"
    r"next to|beside) (?:the|my) (?:drawer|bedside|pillow|bed|wardrobe|glovebox)",
    r"(?:bought|got|have) (?:a |some )?(?:hose|hosepipe)(?: and (?:some )?(?:tape|duct tape))?",
    r"(?:pills|tablets|meds|medicine|\w+ine) (?:\w+ )?(?:counted|lined up|laid out|ready)",
    r"(?:\d+|several|two|three|four|five) (?:boxes|packets|packs|bottles|strips) of (?:\w+ )?"
    r"(?:paracetamol|pills|tablets|painkillers|ibuprofen|meds|sleeping)",
    r"(?:his|her|my|dad's|mum's|\w+'s) (?:shotgun|gun|rifle|pistol)",
    r"counted out",
    r"(?:hose|pipe|tube|rope|noose|ligature)(?:'s| is) (?:\w+ )?(?:attached|connected|tied|ready|"
    r"set up|in place)",
)

# A plan in general terms: dangerous only with a timeframe or means alongside.
PLAN = alt(
    r"(?:got|have|had) everything (?:i need|ready|sorted|planned)",
    r"everything(?:'s| is) (?:ready|sorted|planned|in place|tidy)",
    r"(?:made|have|got) a plan",
    r"(?:picked|chosen|chose|set) (?:the|a) (?:place|date|time|spot|day)",
    r"looked up how (?:much|many|to)",
    r"(?:already )?checked everything",
    r"know what(?:'ll| will) work",
    r"(?:already )?decided",
    r"made (?:my|the) decision",
    r"(?:my )?mind(?:'s| is) (?:\w+ )?made up",
    r"(?:made|making) (?:up )?my mind",
    r"(?:it's|it is|all) planned",
    r"planned for",
    r"nothing (?:left )?to figure out",
    r"on purpose",
    r"(?:bought|got|have) (?:what|everything) i need",
    r"(?:today|tonight|tomorrow|\w+day)(?:'s| is) the (?:day|night)",
)

# A decided, worked-out plan: strong enough to turn "I'm doing it this weekend" into a plan.
PLAN_STRONG = alt(
    r"(?:my )?mind(?:'s| is) (?:\w+ )?made up",
    r"made (?:my|the) (?:final )?decision(?=[.!,]|$| to (?:end|die|go|do it))",
    r"(?:i )?know (?:exactly |just )?(?:how|when|where)(?: and (?:how|when|where))? "
    r"(?:i'm|i am|i'll|i will|i'd|to|it'll|it will)",
    r"(?:it's |it is |got it |everything's |everything is )?all (?:worked out|planned|sorted)",
    r"(?:picked|chosen|chose|set|got|have|finally have|fixed|booked) (?:the|a|my) (?:date|day|"
    r"place|spot)(?! (?:for|with|night|out)\b)",
    r"(?<!we've )(?<!we have )(?<!we )(?:been|was) planning (?:it|this)(?: for)?",
    r"(?:have|got|with) the means",
    r"(?:have|got|made|had) a plan(?:,| and) (?:have|got|\w+ the) ",
    r"(?:waiting|wait) for the right (?:moment|time|night|day)",
    r"(?:got|have) everything (?:i need|ready)",
)

# Final acts and goodbyes that are alarming on their own.
GOODBYE_STRONG = alt(
    r"(?:this is|this will be|it's|here's) my (?:last|final) (?:post|message|goodbye|words)"
    r"(?! (?:before|for|of|until|till|on|about|in this|here before))",
    r"my (?:last|final) (?:post|message)(?: here)?(?:[.!]|$)",
    r"(?:goodbye|suicide|farewell) (?:letters?|notes?)",
    r"(?:wrote|written|writing|left|leaving|finished) (?:a |my )?(?:letters?|notes?) (?:to|for) "
    r"(?:each of my|everyone|all of (?:you|them)|my (?:family|mum|mom|dad|parents|kids|children|"
    r"sister|brother|wife|husband|partner|friends|boyfriend|girlfriend|son|daughter|nan|"
    r"loved ones|best friend))",
    r"letters (?:are|have been) written",
    r"put (?:all )?my affairs in order",
    r"(?:knows|know) where (?:the|my) will is",
    r"(?:instructions|a list) (?:for|of) who gets my",
    r"who (?:gets|should have|can have) my (?:things|stuff|cat|dog|belongings)",
    r"won't (?:be (?:here|around|alive) (?:by|tomorrow|much longer|after|for long|next|to)|"
    r"(?:be )?need(?:ing)? (?:them|it|any of (?:it|this|them)) (?:anymore|any more|after|where))",
    r"(?:logging|signing) off (?:for good|forever|for the last time)",
    r"said goodbye to (?:\w+ ){0,3}for the last time",
    r"by the time (?:you|anyone|someone) (?:reads?|sees?|finds?) this",
    r"by then it(?:'ll| will) be (?:done|over)",
    r"(?:won't|will not) be the ones? to find me",
    r"so (?:nobody|no one|my \w+) (?:has to |will |have to )?finds? me",
    r"this is my final (?:message|post)",
    r"(?:last|final) time (?:you|anyone|any of you|you all|you guys)(?:'ll| will) (?:ever )?hear "
    r"from me",
    r"(?:my |a )?(?:final|last) goodbye (?:from me|to (?:you all|everyone|all of you|you guys|"
    r"this world))",
    r"(?:reads?|sees?|finds?|gets?) this,? i(?:'ll| will) (?:already |probably )?be (?:gone|dead|"
    r"at peace|long gone)",
    r"(?:last|final) (?:thing|post|message|words?) i(?:'ll| will) ever (?:post|write|say|send)",
    r"my (?:last|final) (?:night|day|hours?|morning|evening) (?:on (?:this )?earth|alive|of my "
    r"life|in this world)",
    r"who (?:gets|will get|takes|will take|should have|can have|will have|is having|looks after|"
    r"will look after) (?:my|the) (?:things|stuff|cats?|dogs?|pets?|belongings|kids|children|"
    r"car|room)(?! (?:while|when|for|during|this|next|over|at|on|until|till)\b)",
    r"(?:not going to|won't|will not|not gonna) be (?:here|around|alive) (?:by|after|past|much "
    r"longer|for (?:much )?longer|to see)",
    r"(?:don't|do not) (?:want )?(?:anyone|anybody|you|people|them) to (?:stop|find|save|look "
    r"for) me",
    r"(?:don't|do not|dont) (?:try to |bother trying to )?(?:talk me down|stop me|look for me|"
    r"come looking)",
    r"(?:nobody|no one|you) (?:will |won't )?(?:have|has|need|needs) to worry about me (?:after|"
    r"anymore|any more|soon)",
)

# Softer goodbye cues: several together, or one with a plan or a timeframe, is a goodbye.
GOODBYE_WEAK = alt(
    r"bye(?! for now)",
    r"goodbye",
    r"farewell",
    r"sorry (?:to )?(?:everyone|anyone|for everything|all)",
    r"i'm sorry",
    r"i'm (?:so |really |truly )sorry(?=[.!]|$)",
    r"sorry (?:to )?(?:my )?(?:mum|mom|dad|family|kids|wife|husband|partner|everyone|you all)",
    r"said (?:my )?goodbyes",
    r"(?:left|leaving|wrote|written) (?:a|my|the) note",
    r"i'm ready(?=[.!]|$)",
    r"(?:so )?this is it(?=[.!]|$)",
    r"cancell?ed (?:all )?my (?:\w+ )?(?:therapy|sessions?|appointments?|plans|contract|phone|"
    r"subscriptions?|gym membership)",
    r"no point (?:in )?(?:going back|carrying on|trying anymore)",
    r"gave my (?:\w+ ){0,2}to (?:my|his|her) (?:\w+ )?(?:brother|sister|cousin|mum|mom|dad|"
    r"friend|son|daughter|niece|nephew)",
    r"thank(?:s| you) (?:\w+ ){0,4}for (?:everything|trying)",
    r"(?:i )?love you all",
    r"look after (?:yourselves|each other|my \w+|(?:mum|mom|dad|nan|the kids|the dog|the cat))",
    r"please don't blame",
    r"made my peace",
    r"at peace with (?:it|this|my decision)",
    r"i'm done(?! with (?:work|school|uni|the|this (?:essay|exam|week)))",
    r"(?:logging|signing) off",
    r"phone(?:'s| is) going off",
    r"won't be posting",
    r"deleted (?:all )?my (?:socials|accounts?|social media)",
    r"paid off my debts",
    r"nobody inherits",
    r"(?:the|my) last (?:thing|one)",
    r"for the last time",
    r"nothing (?:anyone says )?(?:will|can) change (?:it|my mind)",
    r"(?:gave|giving|given|give) (?:away )?(?:all )?my (?:\w+ ){0,2}(?:stuff|things|belongings|"
    r"possessions|cat|dog|pets?|plants|guitar|books|clothes|bike|games)(?! to (?:the )?charity)",
    r"(?:gave|giving|given) (?:\w+ ){0,3}away",
    r"wrote a note",
    r"(?:sorted|made|wrote|written|updated|done|finished|sorting) (?:out )?my will",
    r"for good",
    r"cancelled (?:everything|all my \w+|my (?:phone|contract|appointments|plans))",
    r"sorted (?:out )?(?:all )?my (?:bank|finances|accounts|passwords|affairs|paperwork)",
    r"(?:so )?(?:no one|nobody) (?:has|have|will have) to deal with",
    r"i'm sorry (?:mum|mom|dad|everyone|guys|all)",
    r"when i'm gone",
    r"not coming (?:back|down|home)",
    r"i don't think i'm coming",
    r"(?:scheduled|set up) an? (?:email|message|text)",
    r"it(?:'ll| will) be (?:done|over)",
    r"working up the courage",
    r"the only way (?:out|left)",
    r"done pretending",
    r"sorry everyone",
    r"tell the mods to delete my account",
    r"delete my account",
    r"broken heart",
    r"i just wanted (?:someone|you all|to say|somebody)",
    r"thanks for trying",
    r"it isn't",
    r"(?:this is|it's) the end(?: for me| of me| of the road)?(?:[.!]|$)",
)
