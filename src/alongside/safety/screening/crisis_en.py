"""English crisis rules: the author's own risk, and advice that puts others at risk.

Urgent needs more than a risk word: first-person intent together with a method, means, plan or
timeframe; a goodbye or final act; an act under way; or someone handing out methods. Review
covers passive ideation, current self-harm and advice on hiding self-harm or not eating. All
read the guarded view of the text, where quotes, idioms and questions put to others are blank.
"""

from __future__ import annotations

import re

from alongside.safety.screening.rules import Rule
from alongside.safety.screening.vocabulary import (
    ACT_STRONG,
    ACT_WEAK,
    GOODBYE_STRONG,
    GOODBYE_WEAK,
    I_AM,
    INTENT,
    MEANS_READY,
    METHOD,
    METHOD_ACT,
    NOT_NEG,
    PLAN,
    PLAN_STRONG,
    STOCKPILE,
    TIME,
    compile_alt,
)

__all__ = ["CRISIS_RULES"]

_TIME = compile_alt(TIME)
_METHOD = compile_alt(METHOD)
_PLAN_OR_MEANS = compile_alt(PLAN, PLAN_STRONG, MEANS_READY)
_PLAN_STRONG = compile_alt(PLAN_STRONG)
_INTENT_METHOD_ACT = re.compile(rf"{INTENT} ?(?:\w+ ){{0,3}}?{METHOD_ACT}")
# When nobody will be there to stop them: opportunity, a risk factor in itself beside a plan.
_ALONE = compile_alt(
    r"while (?:my |the |our )?(?:\w+ )?(?:\w+)(?:'s|'re| is| are) (?:away|out|asleep|at work)",
    r"(?:when|once|after) (?:everyone|they|he|she|my \w+|the house)(?:'s|'re| is| are| goes| go|"
    r" has gone| have gone) (?:away|out|asleep|to (?:bed|sleep|work))",
    r"(?:have|got|had) the (?:house|flat|place) to myself",
    r"(?:nobody|no one)(?:'s| is| will be) (?:home|in|around|here)",
)
# Saying goodbye without the people saying it knowing: a covert farewell.
_COVERT = compile_alt(
    r"(?:they|nobody|no one|he|she|none of them)(?: \w+)? (?:don't|doesn't|didn't|won't) "
    r"(?:know|realise|realize|suspect)",
    r"without (?:them|anyone|him|her) (?:knowing|realising|realizing)",
)
_GOODBYE_WEAK = compile_alt(GOODBYE_WEAK)
_CRISIS_WORDS = compile_alt(
    METHOD,
    r"suicid\w*",
    r"kill(?:ing)? myself",
    r"end (?:it|my life)",
    r"die",
    r"dead",
    r"hang",
    r"jump",
    r"overdose",
    r"goodbye",
    r"bye",
    GOODBYE_WEAK,
)
# Crisis words other than the names of methods: "platform", "pills" or "rope" alone are everyday.
_CRISIS_CONTEXT = compile_alt(
    r"suicid\w*",
    r"kill(?:ing)? myself",
    r"end (?:it|my life)",
    r"die",
    r"dead",
    GOODBYE_WEAK,
    GOODBYE_STRONG,
    TIME,
)
_FILLER = r"(?:\w+ ){0,3}?"
_SENTENCE_START = r"(?:(?<=^)|(?<=[.!?] )|(?<=^ ))"
_EMOJI_MEANS = (
    r"(?:kitchen knife|pill|knot|coffin|drop of blood|headstone|pistol|water pistol|dagger)"
)

_INTENT_ACT = re.compile(rf"{INTENT} ?{_FILLER}{ACT_STRONG}(?![\w'])")
_INTENT_ACT_WEAK = re.compile(rf"{INTENT} ?{_FILLER}{ACT_WEAK}(?![\w'])")
_SWALLOWED_ALL = compile_alt(
    r"(?:swallowed|taken|took|downed) (?:everything|every pill|all the (?:pills|tablets|meds)|"
    r"the (?:whole )?lot) (?:in|from|out of) (?:the|my|our|mum's|dad's) (?:\w+ )?(?:cupboard|"
    r"cabinet|drawer|house|box|first aid kit|bathroom)",
)
_BARE_ACT_WITH_TIME = re.compile(rf"{_SENTENCE_START}{ACT_STRONG}(?= (?:\w+ ){{0,2}}?{TIME})")

_OVERDOSE_TAKEN = compile_alt(
    r"(?:just |have |'ve |i )?(?:swallowed|taken|took|downed|taking) (?:\w+ ){0,3}(?:whole|entire|"
    r"full) (?:strip|bottle|box|packet|pack)",
    r"(?:just |have |'ve )?(?:swallowed|taken|took|downed) (?:all|every one) (?:of )?(?:my|the) "
    r"(?:pills|tablets|meds)",
    r"(?:swallowed|taken|took|downed|had) (?:about |around |like |over |nearly |almost )?"
    r"(?:[1-9]\d|\d{3}) (?:of )?(?:my |the |his |her )?(?:\w+ ){0,2}(?:pills|tablets|paracetamol|"
    r"capsules|painkillers)",
    r"(?:taking|took|taken|swallowed) (?:the|an) overdose(?: now)?",
    r"(?:swallowed|taken|took|downed|had) (?:a load|loads|a lot|a bunch|a handful|handfuls|a "
    r"fistful|heaps|dozens|a pile) of (?:[\w']+ ){0,3}(?:pills|tablets|meds|paracetamol|capsules|"
    r"painkillers)",
    r"(?:the )?pills are in my hand",
    r"(?:pills|tablets) are (?:already )?in my stomach",
)
_AT_A_HEIGHT = compile_alt(
    rf"{I_AM} (?:standing |sitting |stood |waiting )?(?:on|at) (?:the )?(?:roof|ledge|edge) of",
    rf"{I_AM} (?:standing|sitting|stood|waiting) (?:on|at) (?:the )?(?:bridge|platform|tracks|"
    r"cliff|roof|ledge|edge)",
    rf"{I_AM} on the (?:roof|ledge|bridge|(?:train |railway )?tracks|railway line|level crossing)"
    r"(?! of (?:my|the|his|her|your) nose)",
    r"waiting for the (?:fast )?train",
    rf"{I_AM} already (?:driving|there|on the)",
    r"(?:standing|sitting|stood|i'm) (?:at|on) the (?:top|edge) of (?:the|a|my) (?:car park|bridge|"
    r"building|cliff|roof|multi storey|tower|block)",
    r"(?:can't|won't) stop the bleeding",
    r"cut (?:too )?deep(?:er)? (?:and|it|this time)",
)

_IDEATION = compile_alt(
    rf"(?:i {NOT_NEG}{{0,2}}|(?:part|some|bits?) of me (?:just )?|(?<=^)|(?<=[.!?] ))(?:want|"
    rf"wants|wanna|need|needs) to (?:just )?(?:die|disappear (?:forever|for good)|not exist|stop "
    r"existing|kill myself|end (?:it|it all|my life|everything)|be dead|not be here|sleep forever|"
    r"suicide|become a ghost)",
    r"(?:don't|do not|dont) (?:\w+ ){0,2}want to (?:be alive|live|exist|be here|wake up|go on|"
    r"carry on"
    r"|be around|be)(?: anymore| any more)?",
    r"still here but i don't want to be",
    r"(?:wish|hope|pray)(?:es|s|ed|ing)? (?:that )?i (?:just )?(?:could|would|'d|will|won't|don't|"
    r"didn't|"
    r"never)? ?"
    r"(?:just )?(?:go to sleep and |fall asleep and |sleep and )?(?:not |never )?(?:wake up|die|"
    r"disappear|get hit|be hit)",
    r"(?:not|never) wake up",
    r"if i (?:didn't|don't|did not) wake up",
    r"why do i keep waking up",
    r"pray (?:\w+ ){0,3}that i (?:won't|don't)",
    r"wish i (?:was|were) (?:dead|never born|not here|gone)",
    r"wish i (?:had never been|was never|wasn't|hadn't been) (?:born|here|alive)",
    r"wish i(?:'d| had| was| were)? (?:never|not) (?:been )?born",
    r"better off (?:without me|dead|with a \w+ who isn't me)",
    r"better (?:off )?without me",
    r"better (?:off |place )?(?:\w+ ){0,2}without me(?: in it| around| here)",
    r"(?:everyone|they|my family|the world|people|everybody)(?:'s|'d| would| will| are)? "
    r"(?:\w+ )?(?:be )?better off(?! with)",
    r"relieved if i (?:was|were|died|disappeared) ?(?:gone)?",
    r"(?:no one|nobody|noone) would (?:even )?(?:notice|care|miss me)(?: if i (?:died|disappeared|"
    r"was gone|were gone|wasn't here))?",
    r"(?:easier|better|happier) if i (?:just )?(?:wasn't|weren't|was not|didn't exist|died|"
    r"was gone|"
    r"were gone|was dead|were dead|stopped fighting)",
    r"(?:hate|can't stand) being alive",
    r"(?:life|living|my life)(?:'s| is)? (?:isn't|is not|not|ain't) worth (?:living|it|"
    r"being alive)",
    r"(?:don't|can't|cannot) see the point (?:anymore|any more|in living|of living|in anything|of "
    r"anything|in going on)",
    r"(?:easier|better) to (?:just )?not be (?:here|around|alive)",
    r"(?:(?<=^)|(?<=[.!?] )|(?:(?<=^)|(?<=[.!?] ))been |\bi (?:\w+ ){0,2}|"
    r"\bi'?ve (?:\w+ ){0,2}|\bi'?m (?:\w+ ){0,2}|\bkeep |"
    r"\bmy (?:\w+ )?|\b(?:having|had|get|getting|these|the) (?:\w+ ){0,2})"
    r"(?:thinking|think|thought|thoughts) (?:\w+ ){0,2}(?:about|of) (?:suicide|killing myself|"
    r"ending (?:it|it all|my life|things)|death|dying|taking my (?:own )?life|not being here|"
    r"disappearing|killing(?! (?:him|her|them|my|the|time|it)\b)|how easy it would be)",
    r"(?:suicide|death|dying|killing myself) (?:is|has been) on my mind",
    r"(?:kill|suicide|suicidal|death|dark|intrusive) thoughts(?: are| have been| back| again)",
    rf"(?:{I_AM}|feel(?:ing)?|been|getting|get) {NOT_NEG}{{0,2}}suicidal",
    r"suicidal (?:again|thoughts|feelings|urges|ideation)",
    r"(?:tired|exhausted|sick) (?:of|by|from) (?:being alive|living|existing|life|being here)"
    r"(?! (?:in|with|at|on|under|off|out of|from|paycheck|hand|together|alone with|next)\b)",
    r"exhausted by existing",
    r"(?:waiting|wait) to die",
    r"let it take me",
    r"giving up on (?:\w+ ){0,2}(?:life|living)",
    r"including living",
    r"(?:should|deserve to) (?:just )?die",
    r"i (?:don't|do not) deserve to (?:live|be here|be alive|exist)",
    r"(?:or|and) to be here",
    r"i shouldn't be alive",
    r"off (?:switch|button) i'd press",
    rf"{I_AM} (?:just |such |nothing but )?a waste of (?:space|air|oxygen)",
    rf"{I_AM} (?:just )?a burden",
    r"(?:don't|can't|cannot) see (?:myself (?:being around|alive|here|living)|a future)",
    r"can't imagine (?:being|living to|making it to|reaching) \d+",
    r"(?:hoping|hope) i(?:'ll| will)? (?:get hit|die|not wake|be hit|get (?:cancer|sick|hit))",
    r"(?:welcome|wouldn't mind|hope for|pray for) (?:a |an )?(?:fatal|terminal) (?:illness|"
    r"accident|"
    r"disease)",
    r"my own funeral",
    r"(?:the thought of )?(?:dying|death) (?:doesn't|does not) scare me",
    r"(?:dying|death) (?:comforts|sounds (?:nice|peaceful))",
    r"how easy it would be",
    r"no (?:reason|point) (?:for me )?(?:in |to )?(?:keep |keeping |carry on |carrying on )?"
    r"(?:living|live|going on|being alive|being here|stay(?:ing)? alive)",
    r"(?:what's|what is)(?: \w+){0,2} the point (?:of|in) (?:living|life|being alive|going on|"
    r"carrying on|anything|any of (?:it|this)(?=[.!?,]|$| anymore| any more)|it all|me|waking up|"
    r"being here|trying anymore)"
    r"(?![\w ]{0,4}(?:if|unless|game|meeting|exercise|app|lesson))",
    r"(?:no|only|don't see (?:a|any)|can't see (?:a|any)|see no) (?:other )?way out(?: of this)?"
    r",? (?:\w+ ){0,2}(?:except|but|other than|apart from|besides) (?:dying|death|suicide|killing "
    r"myself|ending it|ending my life)",
    r"(?:death|dying|suicide|ending it|killing myself|not being here) (?:seems|feels|is|looks) "
    r"(?:like )?(?:the )?(?:only|best|easiest) (?:way|option|answer|solution|escape|way out|"
    r"choice)",
    r"(?:(?<=^)|(?<=[.!?] )|\bi |\bi'm |\bi've )(?:\w+ ){0,2}(?:thinking|think|thought|imagining|"
    r"imagine|picturing|fantasi[sz]ing|dreaming) (?:\w+ ){0,2}(?:about |of )?" + METHOD_ACT,
    r"(?:wouldn't|would not|won't|don't|do not) (?:mind|care) if (?:i|something|a \w+|\w+ \w+) "
    r"(?:died|didn't wake up|never woke up|got hit|hit me|killed me|ran me over|ended me)",
    r"if (?:a |the |some )?(?:bus|car|lorry|truck|train|something) (?:hit|hits|killed|kills|ran "
    r"over|runs over) me,? (?:\w+ ){0,3}i (?:wouldn't|would not|won't) (?:mind|care)",
    r"(?:how much )?(?:easier|better|simpler) (?:it )?(?:would|'d) be (?:for everyone )?(?:to "
    r"(?:just )?not (?:exist|be here|be around|be alive|wake up)|if i (?:just )?(?:wasn't|"
    r"weren't|didn't exist|died|was gone|disappeared))",
    rf"(?:{I_AM}|i feel like i'm|feel like i'm) (?:just )?taking up space",
    r"(?:the world|nobody|no one|anyone) (?:doesn't|does not|don't|would not|wouldn't)? ?need"
    r"s? me(?:[.!]|$| anymore| here| around)",
    r"i (?:just )?want out(?=[.!]|$| of (?:everything|life|this life|it all|existence|this "
    r"world))",
    r"(?:scared|afraid|frightened|worried|terrified) (?:of )?(?:what )?i(?:'ll| will| might| "
    r"could| may|'m going to| am going to) do to myself",
    r"(?:don't|do not|can't) trust myself (?:tonight|right now|to (?:stay|keep) safe|not to|"
    r"around)",
    r"(?:don't|do not) think i (?:can|could) (?:keep going|go on|carry on|hold on|keep fighting|"
    r"last)(?: (?:much )?longer| anymore| any more| like this)",
    r"(?:dying|death|being dead|not existing|not being here) would be (?:a )?(?:relief|easier|"
    r"better|peaceful|nice|a release)",
    r"(?:don't know|not sure) if i(?:'ll| will|ll|ill)? (?:still )?be (?:here|around|alive)",
    r"sleep(?:ing)? (?:\w+ )?forever",
    r"(?:can't|cannot) (?:go on|carry on|keep going)(?: like this)?(?: anymore)?",
    r"i (?:just )?want it (?:all )?to (?:end|stop)",
    r"i want to become a ghost",
)

_SELF_HARM_BODY = r"(?:arms?|wrists?|legs?|thighs?|stomach|skin|hips?|head|face|knuckles|hands?)"
_SELF_HARM = compile_alt(
    r"(?:i|i've|ive|i have|just|and)? ?(?:cut|burn(?:ed|t)|hurt|harm(?:ed)?|scratch(?:ed)?|hit|"
    r"punch(?:ed)?|bit|carv(?:ed|e)|starv(?:ed|ing)) (?:myself|my " + _SELF_HARM_BODY + ")",
    r"(?:i (?:\w+ )?)?(?:cut|self harmed|burned|relapsed)(?: myself)? again",
    r"(?<!she's )(?<!he's )(?<!they've )(?<!she has )(?<!he has )(?<!they have )"
    r"(?<!who's )(?<!friend's )(?:been|started|start|keep|kept|still) (?:\w+ )?(?:cutting|"
    r"self harming|burning myself|hurting "
    r"myself|scratching|biting|punching|hitting myself|starving myself|pulling (?:out )?my hair)",
    r"(?:cutting|self harming|self harm|burning myself|hurting myself)\.? again",
    r"relapse(?:d)? (?:on|with|into|and) (?:self harm|cutting|sh)",
    r"(?:i )?relapsed\. (?:cut|burn(?:ed|t)|hurt|scratched)",
    r"(?:the |my )?urges? to (?:cut|self harm|hurt myself|burn myself) (?:is|are) (?:so |really )?"
    r"(?:strong|bad|loud|back)",
    r"(?:(?<=^)|(?<=[.!?] )|\bmy )(?:self harm|sh) urges? (?:are|is|have been) (?:\w+ )?(?:bad|"
    r"strong|back|loud|awful|worse)",
    r"(?:my|the|these) urges? to (?:cut|self harm|hurt myself|burn myself)",
    r"i (?:have|get|keep getting|'ve got) (?:\w+ )?urges? to (?:cut|self harm|hurt myself)",
    r"(?:did|doing|done) (?:some |a bit of )?(?:self harm|cutting)",
    r"(?:until|till|til) (?:they|it|my \w+) (?:bleed|bruises?|splits?|bled)",
    r"starving myself",
    r"pulled out (?:\w+ ){0,2}(?:of )?my hair",
    r"my (?:thighs|arms|wrists|legs) (?:are|is) a mess",
    r"self harm(?:ed|ing)?\.? (?:again|tonight|last night|today|yesterday)",
    r"i (?:\w+ )?(?:want|need|going) to (?:cut|hurt|harm|burn) (?:myself|again)",
    r"broke my (?:\w+ ){0,2}streak",
)

_ADVICE_CONDITION = compile_alt(
    r"if (?:you|u)(?:'ve| have|'re| are)? (?:really |already |truly )?(?:made up your mind|decided|"
    r"set on it|sure|want (?:it )?(?:to end|out|painless|it to end)|want to (?:die|end it|go)|"
    r"really want out)",
    r"if (?:that's|that is) (?:really )?what you want",
    r"if (?:you|u) want it (?:to end|painless|quick)",
    r"if (?:you|u) want to go (?:peacefully|quickly|quietly|painlessly)",
    r"if (?:you're|your|you are|u r|ur) (?:really |truly |100% )?(?:serious|sure|set on it|decided)"
    r"(?: about it)?",
    r"if i were you",
)
_ADVICE_METHOD_CLAIM = compile_alt(
    r"(?:more|less) (?:certain|reliable|effective|painless|lethal|messy|sure)",
    r"(?:best|easiest|quickest|surest|most painless|most reliable) (?:method|way)(?: to \w+)? is",
    r"(?:is|it's) (?:the )?(?:quick(?:est)?|painless|certain|surest)",
    r"just leave you (?:in hospital|with|alive|brain damaged)",
    r"(?:quicker|faster|surer|easier) than",
    r"is the way to do it",
    r"(?:spots|places|ways) that (?:actually )?work",
    r"for an? (?:overdose|it) to work",
    r"(?:you )?need (?:loads|a lot|way) more than that",
    r"(?:look up|google|search) the lethal dose",
    r"take double",
    r"stock up",
    r"save (?:those|them|these) up",
    r"go for (?:carbon monoxide|\w+ \w+)",
    r"go somewhere high",
    r"no barriers",
    r"nobody checks",
    r"that's where i'd go",
    r"that combo",
    r"what worked for",
    r"don't use the",
    r"cutting in the wrong place",
    r"(?:most people|they) just (?:wreck|survive|end up)",
    r"just leave you in hospital",
    r"ask your gp for something stronger",
    r"(?:it )?works (?:faster|better|quicker)",
    r"along the (?:vein|road),? not across",
    r"has no (?:fence|fences|barriers?|railings|nets?)",
    r"take (?:them|it|the pills|the tablets) with (?:alcohol|vodka|wine|drink)",
)
_ADVICE_METHOD = compile_alt(
    METHOD,
    r"alcohol",
    r"cut",
    r"veins?",
    r"hanging",
    r"jumping",
    r"carbon monoxide",
    r"high",
    r"cutting",
    r"lethal dose",
    r"overdose",
    r"multi storey",
)
_METHOD_SEEKING = compile_alt(
    r"how (?:many|much) (?:\w+ ){0,4}(?:would|will|does it take|do i need|to) (?:\w+ ){0,2}"
    r"(?:kill|die|be (?:fatal|lethal|enough))",
    r"(?:what(?:'s| is) )?the lethal dose of",
    r"(?:best|easiest|quickest|most painless|least painful|surest|fastest) (?:way|method) to "
    r"(?:die|kill myself|end it|end my life|commit suicide|hang myself|overdose)",
    r"how (?:do i|to|can i|would i|should i) (?:kill myself|end (?:it|my life)|hang myself|commit "
    r"suicide|overdose|tie a noose)",
)

_CONCEAL_FRAME = compile_alt(
    r"(?:wear|wearing) (?:\w+ ){0,2}(?:long sleeves|hoodies|layers|bracelets)",
    r"long sleeves",
    r"(?:say|tell (?:them|her|him|your \w+|people|everyone)) (?:that )?(?:the cat|you fell|it was|"
    r"you ate|you've eaten|you already ate)",
    r"to hide (?:the|your|my) (?:marks|cuts|scars|bruises|burns)",
    r"hide (?:\w+ ){0,3}(?:scars|cuts|marks|burns|self harm|bruises)",
    r"hide (?:the|your|my) (?:marks|cuts|scars|blades)",
    r"colour corrector|color corrector",
    r"(?:parents|teachers|mum|mom|dad|nobody|no one|they) (?:never|won't|don't|wont) (?:\w+ )?"
    r"(?:notice|check|find|question|ask)",
    r"(?:so|then) (?:nobody|no one|they|your \w+) (?:\w+ )?(?:hears?|notices?|questions?|sees?|"
    r"checks?|asks?|find out|leave you alone)",
    r"leave you alone",
    r"(?:nobody|no one)(?: \w+){0,3} (?:will|would|won't|wont|ever|never) (?:notice|know|find out|"
    r"check|ask)",
    r"stop asking",
    r"will cover them",
    r"(?:keep|hide) your blades",
    r"run the (?:shower|tap|water) so",
)
_CONCEAL_TARGET = compile_alt(
    r"marks",
    r"cuts?",
    r"scars?",
    r"bandages?",
    r"blades?",
    r"self harm",
    r"scratched",
    r"weigh ?ins?",
    r"weight",
    r"ate",
    r"eat(?:ing)?",
    r"dinner",
    r"breakfast",
    r"lunch",
    r"meals?",
    r"bathroom",
    r"hungry",
    r"fell off your bike",
)
_PRO_ED = compile_alt(
    r"fast(?:ing)? (?:for )?(?:\d+|a few|two|three|several) days",
    r"(?:fastest|quickest|best) way to (?:drop|lose) weight",
    r"(?:drop|lose) weight (?:quickly|fast)",
    r"skip(?:ping)? (?:meals|breakfast|lunch|dinner)(?: and (?:lunch|dinner|breakfast))? is fine",
    r"(?:chew gum|black coffee|drink (?:loads of |"
    r"lots of )?(?:cold )?water) (?:\w+ ){0,6}(?:hungry|"
    r"hunger)",
    r"go days (?:on|without)",
    r"thinspo(?:ration)?",
    r"pro anorexia",
    r"pro bulimia",
    r"(?:purge|throw up) (?:quietly|without)",
    r"straight after eating",
)


CRISIS_RULES: tuple[Rule, ...] = (
    Rule(
        id="CRISIS-INTENT-TIMEFRAME",
        category="crisis",
        tier="urgent",
        text="States an intention to end their life with a timeframe.",
        pattern=_INTENT_ACT,
        requires=(_TIME,),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-INTENT-TIMEFRAME",
        category="crisis",
        tier="urgent",
        text="States an intention to end their life with a timeframe.",
        pattern=_BARE_ACT_WITH_TIME,
    ),
    Rule(
        id="CRISIS-INTENT-METHOD",
        category="crisis",
        tier="urgent",
        text="States an intention to end their life and names a method or means.",
        pattern=_INTENT_ACT,
        requires=(_METHOD,),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-INTENT-PLAN",
        category="crisis",
        tier="urgent",
        text="States an intention to end their life and says it is planned or decided.",
        pattern=_INTENT_ACT,
        requires=(_PLAN_OR_MEANS,),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-INTENT-METHOD",
        category="crisis",
        tier="urgent",
        text="States an intention to act with a method and a timeframe.",
        pattern=_INTENT_ACT_WEAK,
        requires=(_METHOD, _TIME),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-INTENT-METHOD",
        category="crisis",
        tier="urgent",
        text="States an intention to act, with a timeframe and goodbye words.",
        pattern=_INTENT_ACT_WEAK,
        requires=(_TIME, _GOODBYE_WEAK),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-INTENT-METHOD",
        category="crisis",
        tier="urgent",
        text="States an intention to end their life by a named method.",
        pattern=_INTENT_METHOD_ACT,
    ),
    Rule(
        id="CRISIS-INTENT-PLAN",
        category="crisis",
        tier="urgent",
        text="States an intention to act, with a decided plan and a time when they will be alone.",
        pattern=_INTENT_ACT_WEAK,
        requires=(_PLAN_STRONG, _ALONE),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-PLAN-TIMEFRAME",
        category="crisis",
        tier="urgent",
        text="A decided or worked-out plan alongside means, a method or a goodbye.",
        pattern=_PLAN_STRONG,
        requires=(
            compile_alt(
                MEANS_READY,
                STOCKPILE,
                METHOD_ACT,
                GOODBYE_STRONG,
                r"rope",
                r"noose",
                r"(?:today|tonight|tomorrow|\w+day)(?:'s| is) the (?:day|night)",
            ),
        ),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-PLAN-TIMEFRAME",
        category="crisis",
        tier="urgent",
        text="Several signs of a decided, worked-out plan (means, a date, waiting for the moment).",
        pattern=_PLAN_STRONG,
        min_distinct=2,
    ),
    Rule(
        id="CRISIS-INTENT-METHOD",
        category="crisis",
        tier="urgent",
        text="Thinks about a named method, with a time or place attached.",
        pattern=compile_alt(
            r"(?:thinking|think|thought|imagining|imagine|picturing) (?:\w+ ){0,2}(?:about |of )?"
            + METHOD_ACT
        ),
        requires=(_TIME,),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-GOODBYE",
        category="crisis",
        tier="urgent",
        text="Says goodbye to people without their knowing it.",
        pattern=compile_alt(r"said (?:my )?goodbyes?", r"saying (?:my )?goodbyes?"),
        requires=(_COVERT,),
        requires_in_post=True,
        tense="past",
    ),
    Rule(
        id="CRISIS-ACT-UNDER-WAY",
        category="crisis",
        tier="urgent",
        text="Describes having just swallowed everything to hand.",
        pattern=_SWALLOWED_ALL,
        tense="past",
    ),
    Rule(
        id="CRISIS-ACT-UNDER-WAY",
        category="crisis",
        tier="urgent",
        text="Says they are at a bridge, cliff or the tracks now, alongside goodbye words.",
        pattern=compile_alt(
            rf"{I_AM} (?:at|by|under|near|on) the (?:bridge|cliffs?|tracks|railway|edge|"
            r"viaduct|top of)"
        ),
        requires=(
            compile_alt(
                GOODBYE_STRONG,
                r"goodbye",
                r"bye",
                r"farewell",
                r"love you all",
                r"sorry (?:to )?(?:my )?(?:mum|mom|dad|family|kids|wife|husband|partner|everyone)",
                r"suicid\w*",
                r"end it",
                r"jump",
            ),
        ),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-MEANS-READY",
        category="crisis",
        tier="urgent",
        text="Says they have gathered or prepared the means to end their life.",
        pattern=compile_alt(MEANS_READY),
        requires=(_CRISIS_CONTEXT,),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-MEANS-READY",
        category="crisis",
        tier="urgent",
        text="Says they are stockpiling medicine.",
        pattern=compile_alt(STOCKPILE),
    ),
    Rule(
        id="CRISIS-MEANS-READY",
        category="crisis",
        tier="urgent",
        text="Names a means of self-harm or suicide with a timeframe.",
        needs_emoji=True,
        pattern=compile_alt(_EMOJI_MEANS),
        requires=(_TIME,),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-PLAN-TIMEFRAME",
        category="crisis",
        tier="urgent",
        text="Says a plan is made and ready, with a timeframe, alongside goodbye or method words.",
        pattern=compile_alt(PLAN),
        requires=(_TIME, _CRISIS_WORDS),
        requires_in_post=True,
    ),
    Rule(
        id="CRISIS-ACT-UNDER-WAY",
        category="crisis",
        tier="urgent",
        text="Describes an attempt happening now (an overdose taken, standing at a height).",
        pattern=_OVERDOSE_TAKEN,
        requires=(_METHOD,),
        requires_in_post=True,
        tense="past",
    ),
    Rule(
        id="CRISIS-ACT-UNDER-WAY",
        category="crisis",
        tier="urgent",
        text="Describes being at a height or on the tracks now, with goodbye or crisis words.",
        pattern=_AT_A_HEIGHT,
        requires=(_CRISIS_CONTEXT,),
        requires_in_post=True,
        tense="past",
    ),
    Rule(
        id="CRISIS-GOODBYE",
        category="crisis",
        tier="urgent",
        text="Reads as a goodbye or a final act (last post, letters, a will, giving things away).",
        pattern=compile_alt(GOODBYE_STRONG),
        tense="past",
    ),
    Rule(
        id="CRISIS-GOODBYE",
        category="crisis",
        tier="urgent",
        text="Several goodbye cues together read as a final message.",
        pattern=_GOODBYE_WEAK,
        min_distinct=3,
        tense="past",
    ),
    Rule(
        id="CRISIS-GOODBYE",
        category="crisis",
        tier="urgent",
        text="A goodbye alongside a plan, means or a method.",
        pattern=_GOODBYE_WEAK,
        min_distinct=1,
        requires=(compile_alt(METHOD, PLAN, MEANS_READY, STOCKPILE, _EMOJI_MEANS),),
        requires_in_post=True,
        tense="past",
    ),
    Rule(
        id="CRISIS-METHOD-SEEKING",
        category="crisis",
        tier="urgent",
        text="Asks for a method or a lethal dose.",
        pattern=_METHOD_SEEKING,
        view="quotes_only",
    ),
    Rule(
        id="HARMFUL-ADVICE-METHOD",
        category="crisis",
        tier="urgent",
        text="Gives someone a suicide method, a place or a lethal dose.",
        pattern=_ADVICE_METHOD_CLAIM,
        requires=(_ADVICE_METHOD,),
        requires_in_post=True,
        view="quotes_only",
    ),
    Rule(
        id="HARMFUL-ADVICE-METHOD",
        category="crisis",
        tier="urgent",
        text="Gives someone a suicide method, a place or a lethal dose.",
        pattern=_ADVICE_CONDITION,
        requires=(_ADVICE_METHOD,),
        requires_in_post=True,
        view="quotes_only",
        negatable=False,
    ),
    Rule(
        id="HARMFUL-ADVICE-CONCEAL",
        category="crisis",
        tier="review",
        text="Advises how to hide self-harm or not eating.",
        pattern=_CONCEAL_FRAME,
        requires=(_CONCEAL_TARGET,),
        requires_in_post=True,
        view="quotes_only",
    ),
    Rule(
        id="HARMFUL-ADVICE-PRO-ED",
        category="crisis",
        tier="review",
        text="Gives pro-eating-disorder tips (fasting, suppressing hunger, fast weight loss).",
        pattern=_PRO_ED,
        view="quotes_only",
    ),
    Rule(
        id="CRISIS-INTENT-NO-PLAN",
        category="crisis",
        tier="review",
        text="States an intention to end their life, without a stated plan or timeframe.",
        pattern=_INTENT_ACT,
    ),
    Rule(
        id="CRISIS-IDEATION",
        category="crisis",
        tier="review",
        text="Expresses current thoughts of death or suicide, or of not wanting to be alive.",
        pattern=_IDEATION,
    ),
    Rule(
        id="CRISIS-SELF-HARM",
        category="crisis",
        tier="review",
        text="Describes current self-harm or urges to self-harm.",
        pattern=_SELF_HARM,
        tense="past",
    ),
)
