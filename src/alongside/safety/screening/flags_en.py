"""English rules for the moderation flags: safeguarding, contact requests, abuse and spam wording.

Flags are separate from the crisis tier: they tell moderators what kind of harm a post may do
to others (or what danger its author is in from others) rather than how urgent the author's own
risk is. Safeguarding disclosures also raise the tier to review, because a person is being hurt.
"""

from __future__ import annotations

from alongside.safety.screening.rules import Rule
from alongside.safety.screening.vocabulary import I_AM, alt, compile_alt

__all__ = ["FLAG_RULES", "MINOR_AGE", "PLATFORM", "PROMO_CUE"]

_ABUSER = alt(
    r"(?:my |our |her |his |the )?(?:\w+'s )?(?:step ?dad|step ?father|dad|father|step ?mum|"
    r"step ?mom|mum|mom|mother|parents?|brother|sister|uncle|aunt|grandad|grandpa|granddad|"
    r"grandma|nan|cousin|boyfriend|bf|girlfriend|gf|husband|wife|partner|ex|fianc[ée]e?|carer|"
    r"teacher|coach|tutor|boss|landlord|flatmate|lodger|neighbour|babysitter|foster \w+|"
    r"older \w+|man|woman|guy)",
    r"(?:he|she|they)",
)
_AGAINST = (
    r"(?:me|us|my (?:little |baby |younger |older )?(?:sister|brother|son|daughter|kids?|mum|mom))"
)
_ABUSE_VERB = alt(
    r"hits?",
    r"hit",
    r"beats?",
    r"punch(?:es|ed)?",
    r"slap(?:s|ped)?",
    r"kick(?:s|ed)?",
    r"chok(?:es|ed)",
    r"strangl(?:es|ed)",
    r"hurts?",
    r"touch(?:es|ed)",
    r"rap(?:es|ed)",
    r"abus(?:es|ed)",
    r"molest(?:s|ed)",
    r"push(?:es|ed)",
    r"shov(?:es|ed)",
    r"burn(?:s|ed|t)",
    r"grabs?",
    r"threaten(?:s|ed)",
)
_SAFEGUARDING_DISCLOSURE = compile_alt(
    rf"{_ABUSER} (?:\w+ )?{_ABUSE_VERB} {_AGAINST}",
    rf"{_ABUSER} (?:\w+ )?{_ABUSE_VERB} (?:\w+ )?(?:with|against|in the|down)",
    rf"{_ABUSER}(?:'s| has| have)? (?:\w+ )?(?:threatened|says he'll|says she'll|said he'd|said "
    r"she'd|says he will|says they'll) (?:to )?(?:kill|hurt|take)",
    r"(?:threatened|threatens|says he'll|said he'd|says she'll) (?:to )?kill (?:me|us)",
    r"(?:makes|made|forces|forced|pressur(?:es|ed)) (?:me|us) (?:to )?(?:have sex|do (?:sexual|"
    r"stuff|things)|touch (?:him|her|them)|send (?:\w+ )?(?:pics|photos|nudes|videos))",
    rf"{_ABUSER} (?:\w+ )?lock(?:s|ed) {_AGAINST} (?:in|out)",
    r"(?:comes?|coming|came) into (?:my|the) (?:room|bed|bathroom|shower)",
    r"(?:sends?|sending|sent) me (?:\w+ )?(?:inappropriate|sexual|dirty|rude|explicit|naked|nude) "
    r"(?:messages|texts|pictures|photos|pics|videos|stuff)",
    r"(?:keeps|kept|keep|is|was|been|started|always) (?:\w+ )?(?:touching|hitting|hurting|beating|"
    r"abusing|groping|raping|choking|kicking|slapping|strangling) (?:me|us|my)",
    r"(?:and|then|also|who|that|he|she|they) (?:\w+ )?(?:touch(?:es|ed)|hits?|beats?|hurts?|rapes?|"
    r"raped|chokes?|choked|strangl(?:es|ed)|abuses?|abused|slaps?|slapped|kicks?|kicked) (?:me|us)",
    r"(?:i was|i've been|i got|i'm being|i am being|being) (?:\w+ )?(?:raped|sexually assaulted|"
    r"assaulted|abused|molested|groomed|trafficked|beaten)",
    r"(?:won't|doesn't|does not|will not) let me (?:have|leave|go|see|use|out)",
    r"(?:checks|tracks|controls|reads|monitors) my (?:phone|location|messages|money|bank)",
    r"takes? my (?:phone|pension|money|benefits|wages|bank card|passport|keys)(?: away)?",
    r"(?:don't|doesn't|won't) (?:feed|let) me(?: eat)?",
    r"holds? my (?:head|neck|face|arms?) (?:against|down|under)",
    r"smash(?:es|ed) my (?:things|stuff|phone)",
    r"threw (?:a|an|the) \w+ at (?:me|my head)",
    r"(?:scared|afraid|terrified) (?:to go home|of (?:him|her|my \w+)|to go there)",
    r"marks on my (?:back|arms?|legs?|neck|face)",
    r"(?:he|she)(?:'ll| will) (?:share|post|send) (?:it|them|the (?:pic|photo)s?)",
    r"keeps (?:turning up|showing up|coming) (?:at|to|into)",
    r"never see the kids again",
    r"keeps a (?:knife|gun) by the bed",
    r"(?:hurts|hits|touches) my (?:little |baby |younger )?(?:sister|brother)",
)

MINOR_AGE = compile_alt(
    rf"{I_AM} (?:only |just )?(?:1[0-7]|[5-9])(?: (?:years? old|yo|y/o))?"
    r"(?! (?:years? (?:into|of|since|clean|sober)|days?|weeks?|months?|minutes?|hours?|kg|stone|"
    r"lbs?|pounds|%|mg|times|percent|pills|tablets))",
    r"(?:you(?:'re| are)|your|ur|you r|since (?:you're|your|ur)|you said you're) (?:only |just |"
    r"so |"
    r"really )?"
    r"(?:mature for |young for )?(?:1[0-7]|[5-9])(?!\d)",
    r"(?:1[0-7]) ?(?:yo|y/o|year old|f|m)\b",
    r"(?:in|am in) year (?:[5-9]|1[0-3])",
    r"mature for (?:1[0-7]|your age|a \d+)",
)
PLATFORM = alt(
    r"snap(?:chat)?",
    r"telegram",
    r"whats ?app",
    r"kik",
    r"discord",
    r"insta(?:gram)?",
    r"ig",
    r"facebook(?: messenger)?",
    r"fb",
    r"messenger",
    r"tik ?tok",
    r"signal",
    r"skype",
    r"zoom",
    r"face ?time",
    r"wechat",
    r"viber",
    r"twitter",
    r"reddit",
    r"email",
    r"e mail",
    r"text",
    r"phone",
    r"ghost",
)
_GROOMING_CUE = compile_alt(
    r"(?:don't|do not|dont|not to|shouldn't|never|won't) (?:\w+ ){0,2}(?:tell|mention|show)",
    r"(?:our|a) (?:little )?secret",
    r"(?:between|just between) us",
    r"keep (?:it|this|our \w+|them) (?:private|secret|quiet|between)",
    r"delete (?:these|the|our|my) (?:messages|chats|texts)",
    r"(?:parents|mum|mom|dad|grown ups|adults)(?: \w+)? (?:wouldn't|won't|can't|don't|get weird|"
    r"would not) (?:\w+ )?(?:understand|see|know|find|about)",
    r"(?:send|sent|show) (?:me |one |more )?(?:a |an |some )?(?:pics?|photos?|pictures?|selfies?|"
    r"nudes?|videos?)",
    r"(?:asked|asking|wants?) (?:me )?(?:for|to send) (?:\w+ )?(?:pics|photos|pictures|nudes)",
    r"what you're wearing",
    r"age is just a number",
    r"age doesn't matter",
    r"(?:seem|look|act) older",
    r"practically an adult",
    r"mature for",
    r"only one who (?:really )?(?:gets|understands) you",
    r"(?:pick you up|meet (?:up|you)|come (?:over|round))",
    r"buy you",
    r"new phone so",
    rf"(?:add me|talk|chat|message me|move|video call|dm me) (?:\w+ ){{0,2}}(?:on|to) {PLATFORM}",
    r"mods can't read",
    r"you can tell me anything",
    r"(?:keep|keeps) (?:our )?chats? (?:secret|private)",
)

_CONTACT = compile_alt(
    rf"add me (?:on|at) {PLATFORM}",
    rf"(?:dm|message|msg|text|call|hit|find|follow|snap|add|ping|reach|email|contact|ring) me "
    rf"(?:up )?(?:\w+ )?(?:on|at|via|over|through) (?:\w+ )?{PLATFORM}",
    r"(?:snap|text|call|email|ring|whatsapp|telegram) me(?! (?:back|later|when))",
    r"follow me on",
    r"(?:what's|whats|what is|give me|can i have|can i get|send me|drop|share|tell me) (?:your|ur) "
    r"(?:number|phone number|mobile|snap(?:chat)?|insta(?:gram)?|ig|kik|discord|email|whats ?app|"
    r"telegram|@|handle|username|socials|digits)",
    r"(?:let's|lets|let us|can we|could we|shall we|we can|we could|wanna|want to|we should|should "
    rf"we) (?:\w+ ){{0,2}}(?:talk|chat|move|continue|video call|call|text|go|switch|speak|message) "
    rf"(?:\w+ ){{0,2}}(?:on|to|over|via|in) (?:\w+ )?{PLATFORM}",
    r"(?:move|take|continue) (?:this|the|our) (?:chat|conversation|convo) (?:to|on|over)",
    r"swap (?:numbers|emails|snaps|snapchats|instas|discords|whatsapps|details|contacts|socials|"
    r"usernames)",
    r"join my (?:discord|server|group chat|telegram|whatsapp)",
    r"message me for (?:the )?invite",
    rf"{I_AM} on {PLATFORM} if",
    r"send you my number",
    r"(?:here's|heres|here is|this is|that's) my (?:number|email|snap|insta|kik|discord)",
    r"my (?:new )?(?:number|phone number|mobile|cell|email)(?:'s| is)",
    r"is my (?:cell|number|mobile|email)",
    r"(?:call|text|email|message) (?:me )?(?:anytime|any time)",
    r"(?:you can )?reach me (?:on|at)",
    r"(?:meet|meeting) (?:up|for (?:a )?(?:coffee|drink|walk))",
    r"come (?:and )?say hi",
    r"if (?:anyone|you|u)(?: ever)? wants? to (?:write|text|call|talk|chat|email|visit|meet)",
    r"my (?:username|tag|handle|snap|insta|discord|kik)(?: name)? is",
    rf"(?:i'd|i would|would|i'm happy to|happy to) (?:love|like|be happy)? ?to "
    rf"(?:chat|talk|connect|"
    rf"message) (?:\w+ ){{0,2}}on {PLATFORM}",
    r"same (?:username|name|@)(?: as here)?",
    r"video call",
    r"gave you my number",
    r"for anyone who had the old one",
    r"(?:email|send) (?:me|it|the \w+|them) (?:\w+ ){0,2}(?:at|to) [\w.+-]{1,64}@\w+",
)

_INSULT = alt(
    r"idiots?",
    r"morons?",
    r"losers?",
    r"pathetic",
    r"worthless",
    r"disgusting",
    r"stupid",
    r"dumb",
    r"retard(?:ed|s)?",
    r"bitch(?:es)?",
    r"sluts?",
    r"whores?",
    r"cunts?",
    r"twats?",
    r"pricks?",
    r"dicks?",
    r"wankers?",
    r"assholes?",
    r"arseholes?",
    r"freaks?",
    r"psychos?",
    r"waste of (?:space|oxygen|air)",
    r"scum",
    r"trash",
    r"garbage",
    r"failures?",
    r"pigs?",
    r"clowns?",
    r"snowflakes?",
    r"attention (?:seeker|whore|seeking \w+)",
    r"drama queen",
    r"slobs?",
    r"creeps?",
    r"brats?",
    r"ugly",
    r"fat",
    r"thick",
    r"useless",
    r"cringe",
    r"terrible (?:mother|father|mum|mom|dad|parent|person|friend)",
    r"joke",
    r"embarrassment",
    r"parasites?",
    r"leech(?:es)?",
    r"faggots?",
    r"fags?",
    r"trann(?:y|ies)",
    r"nigg(?:er|a)s?",
    r"spastic",
    r"spaz",
    r"mong",
)
_GROUP = alt(
    r"muslims?",
    r"jews?",
    r"christians?",
    r"gays?",
    r"gay people",
    r"lesbians?",
    r"trans (?:people|women|men)",
    r"black people",
    r"immigrants?",
    r"refugees?",
    r"foreigners?",
    r"asians?",
    r"women",
    r"men",
    r"disabled people",
    r"autistic people",
    r"people like you",
    r"\w+ people like you",
)
_ABUSE = compile_alt(
    rf"(?:you(?:'re| are| r)?|ur|u r|you're such|you're so|you're just) "
    rf"(?:(?:an?|such an?|so|so fucking|fucking|fking|absolute|total|complete|little|big|\w+ing|"
    rf"fat|lazy|stupid|pathetic|ugly|useless|spoilt|spoiled|sad|dumb|brain ?dead|attention "
    rf"seeking|massive|utter|proper) )*{_INSULT}",
    r"(?:are you|r u) (?:\w+ )?(?:thick|stupid|dumb|retarded|deaf|blind|an idiot)",
    rf"(?:^|(?<=[,.!?] )){_INSULT}(?=[.!?,]|$)",
    rf", {_INSULT}(?=[.!?]|$)",
    r"shut (?:the fuck |tf )?up",
    r"fuck (?:you|u|off)(?! (?:depression|anxiety|this|it))",
    r"(?:go )?fuck yourself",
    r"screw you",
    r"(?<!would )(?<!to )(?<!you )(?<!about )(?<!of )(?<!not )kill yourself",
    r"go (?:and )?die",
    r"(?:nobody|no one|noone) (?:\w+ )?(?:in your life )?(?:likes|cares about|wants|loves|"
    r"believes|would miss) (?:you|your|to talk to you)",
    r"nobody cares",
    r"(?:everyone|everybody) (?:hates|laughs at) you",
    r"hope (?:you|your \w+) (?:die|dies|get|gets|suffer|rot)",
    r"you deserve (?:to die|to suffer|it|what you get)",
    r"(?:stop|quit) (?:whining|crying|moaning|being (?:so )?(?:dramatic|pathetic))",
    r"cry me a river",
    r"get lost",
    r"(?:nobody|no one|noone) (?:asked|cares about) (?:for )?(?:you|your|ur)",
    r"(?:your|ur) sob story",
    r"(?:go|just) away,? (?:you|nobody)",
    r"get a grip",
    r"man up",
    r"no wonder (?:nobody|no one|your \w+ left|you're)",
    r"(?:people like you|the lot of you|you lot|all of you) (?:are|is)",
    rf"(?:this|that|the) (?:supporter|person|guy|girl|poster|mod|moderator|member|op|woman|man) "
    rf"(?:is|'s) (?:a |an )?(?:\w+ )?{_INSULT}",
    rf"(?:everyone|everybody|all of you|you all) (?:in (?:this|the) \w+ )?(?:is|are) (?:a |an )?"
    rf"(?:\w+ )?{_INSULT}",
    rf"(?:all )?{_GROUP} (?:are|should|is|r) (?:\w+ ){{0,2}}(?:terrorists|disgusting|vermin|"
    rf"animals|"
    r"rats|scum|freaks|criminals|mentally ill|subhuman|parasites|sick|evil|not allowed|"
    r"be (?:banned|"
    r"deported|killed|shot|gassed)|die|go back|keep it to)",
    r"go back to your (?:own )?country",
    r"nobody wants (?:\w+ )?(?:immigrants|foreigners|you|your kind|people like you)",
    r"typical (?:woman|women|female|man|bloke|millennial|boomer|gen z)",
    r"i know where you live",
    r"(?:keep posting|keep it up) and see what happens",
    r"leave the group",
    r"(?:your|ur) posts? (?:is|are) (?:cringe|stupid|pathetic|trash)",
    r"every post you make is",
    r"i hope your kids get taken",
    r"shouldn't be allowed near",
    r"your ['\"]?trauma",
)

_PROMO = compile_alt(
    r"crypto(?:currency)?",
    r"bitcoin",
    r"forex",
    r"betting",
    r"casino",
    r"free spins",
    r"no deposit",
    r"sign ?up bonus",
    r"(?:promo|discount|coupon) code",
    r"use code",
    r"click (?:here|>+)",
    r"claim (?:here|now|your)",
    r"limited (?:offer|spots|time|places)",
    r"buy now",
    r"\d+% off",
    r"no prescription",
    r"without (?:a )?prescription",
    r"no doctor needed",
    r"discreet (?:shipping|delivery)",
    r"earn [$£€]?\d+",
    r"[$£€]\d+(?:,\d{3})*\s*/\s*(?:day|week|hour)",
    r"work(?:ing)? from home",
    r"followers and likes",
    r"(?:cheap|free|buy) (?:followers|likes|views)",
    r"hot singles",
    r"guaranteed",
    r"doubled",
    r"seo services",
    r"rank #?1",
    r"free iphone",
    r"robux",
    r"doctors hate",
    r"this (?:one )?trick",
    r"lose \d+ ?kg",
    r"cheap prices",
    r"deal of the year",
    r"buy \d+ get \d+",
    r"buy my",
    r"my (?:\$\d+ )?(?:course|coaching|program(?:me)?)",
    r"(?:turn|turned) [$£€]\d+ into",
    r"check (?:out )?(?:his|her|my|our) (?:site|page|channel|website|shop)",
    r"visit (?:my|our)? ?[\w-]+\.\w+",
    r"in your area",
    r"essay written",
    r"top grades",
    r"money back",
    r"order now",
    r"(?:dm|direct message|message|pm|inbox) (?:me )?for (?:prices|details|info|the link)",
    r"earn (?:money|cash|\$)",
    r"make money (?:fast|online|from home|quick)",
    r"sign up (?:today|now|here|at)",
    r"onlyfans",
    r"(?:only|just) [$£€]\d+",
    r"you've been selected",
    r"(?:gummies|pills|supplements?) (?:cure|fix)",
    r"ez money",
    r"mentor",
    r"buy (?:cheap )?\w+ online",
    r"(?:fast|free|next day|worldwide) (?:delivery|shipping)",
    r"cheap \w+ online",
)

FLAG_RULES: tuple[Rule, ...] = (
    Rule(
        id="SAFEGUARDING-ABUSE-DISCLOSURE",
        category="safeguarding",
        tier="review",
        text="Discloses current abuse or violence by someone else (domestic, sexual, child, "
        "financial).",
        pattern=_SAFEGUARDING_DISCLOSURE,
        view="quotes_only",
        tense="past",
        flags=("safeguarding",),
    ),
    Rule(
        id="SAFEGUARDING-GROOMING",
        category="safeguarding",
        tier="none",
        text="A stated age under 18 together with grooming cues (secrecy, another app, photos, "
        "meeting).",
        pattern=MINOR_AGE,
        view="quotes_only",
        negatable=False,
        requires=(_GROOMING_CUE,),
        requires_in_post=True,
        flags=("safeguarding",),
    ),
    Rule(
        id="CONTACT-OFF-PLATFORM",
        category="contact_request",
        tier="none",
        text="Asks to move the conversation off the platform or to swap contact details.",
        pattern=_CONTACT,
        view="quotes_only",
        flags=("contact_request",),
    ),
    Rule(
        id="ABUSE-TARGETED",
        category="abuse",
        tier="none",
        text="Insults, threatens or demeans another person or a group.",
        pattern=_ABUSE,
        view="quotes_only",
        flags=("abuse",),
    ),
    Rule(
        id="SPAM-PROMOTION",
        category="spam",
        tier="none",
        text="Reads as an advert or a scam (money, betting, crypto, pharmacy, giveaways).",
        pattern=_PROMO,
        view="raw",
        negatable=False,
        min_distinct=2,
        flags=("spam",),
    ),
)

#: Promotion cues that, with a link in the post, are enough for the spam flag on their own.
PROMO_CUE = _PROMO
