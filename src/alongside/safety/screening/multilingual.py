"""Crisis rules for French, German, Spanish, Italian, Portuguese, Dutch and Polish, and a fallback.

The models read English only. Members write in their own language when things are worst, so the
common European languages get their own urgent (intent with a plan or time, goodbyes) and review
(ideation, self-harm) phrases. Text in any other language is never passed silently: a small
cross-lingual list of cues (suicide stems, "I want to die" in many languages, pill and knife
emoji, pill counts) sends it to review with a reason saying the language is not covered.

Patterns match casefolded, accent-preserving text; common accent-less spellings are allowed.
"""

from __future__ import annotations

import re

from alongside.safety.screening.rules import Rule

__all__ = ["LANGUAGE_RULES", "uncovered_language_cues"]


def _rx(*options: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(options) + r")(?!\w)")


def _rules(
    lang: str,
    urgent: re.Pattern[str],
    timed: re.Pattern[str],
    time: re.Pattern[str],
    review: re.Pattern[str],
) -> tuple[Rule, ...]:
    code = lang.upper()
    langs = frozenset({lang})
    return (
        Rule(
            id=f"CRISIS-{code}-GOODBYE-PLAN",
            category="crisis",
            tier="urgent",
            text=f"Goodbye, final act or means made ready ({lang}).",
            pattern=urgent,
            view="raw",
            negatable=False,
            languages=langs,
        ),
        Rule(
            id=f"CRISIS-{code}-INTENT-TIMEFRAME",
            category="crisis",
            tier="urgent",
            text=f"Intention to end their life with a timeframe ({lang}).",
            pattern=timed,
            requires=(time,),
            requires_in_post=True,
            view="raw",
            negatable=False,
            languages=langs,
        ),
        Rule(
            id=f"CRISIS-{code}-IDEATION",
            category="crisis",
            tier="review",
            text=f"Thoughts of death or suicide, or current self-harm ({lang}).",
            pattern=review,
            view="raw",
            negatable=False,
            languages=langs,
        ),
    )


_FR = _rules(
    "fr",
    urgent=_rx(
        r"(?:c'est|ceci est) mon (?:dernier|ultime) (?:message|post)",
        r"lettres? d'adieu",
        r"j'ai (?:écrit|ecrit) (?:des|une|mes) lettres?",
        r"mon testament",
        r"adieu(?: à tous| tout le monde)?",
        r"j'ai (?:gardé|garde|stocké|stocke|accumulé|accumule|acheté|achete|préparé|prepare) "
        r"(?:toutes |tous )?(?:mes |les |des |une |la )?(?:pilules|médicaments|medicaments|"
        r"comprimés|comprimes|cachets|corde)",
        r"je (?:les )?prends (?:toutes?|tous)",
    ),
    timed=_rx(
        r"je vais (?:me tuer|me suicider|en finir|sauter|me pendre|mourir|prendre (?:toutes? |"
        r"tous )?"
        r"(?:mes|les) (?:pilules|médicaments|medicaments|comprimés|comprimes|cachets))",
        r"je me (?:tue|suicide|pends|jette)",
        r"je (?:les )?avale (?:toutes?|tous)",
        r"je vais (?:sauter|me jeter) (?:du|d'un|de la|par|sous)",
        r"(?:j'en finis|je saute)",
    ),
    time=_rx(
        r"ce soir",
        r"cette nuit",
        r"demain",
        r"ce week-end",
        r"(?:lundi|mardi|mercredi|jeudi|"
        r"vendredi|samedi|dimanche)",
        r"maintenant",
        r"tout à l'heure",
    ),
    review=_rx(
        r"je (?:veux|voudrais|veut) (?:mourir|en finir|disparaître|disparaitre|me tuer|me suicider|"
        r"m'endormir et ne (?:jamais|plus) me réveiller)",
        r"ne (?:jamais|plus) me r[ée]veiller",
        r"envie de (?:mourir|me tuer|en finir|disparaître)",
        r"(?:serait|seraient|serais) mieux sans moi",
        r"je me (?:suis )?(?:encore |de nouveau )?(?:scarifi\w*|coup[ée]e?|mutil\w*|fait du mal)",
        r"pensées suicidaires",
        r"plus envie de vivre",
        r"je suis (?:suicidaire|un fardeau)",
    ),
)
_DE = _rules(
    "de",
    urgent=_rx(
        r"(?:tabletten|pillen|medikamente)[, ]+(?:\w+ ){0,3}(?:gesammelt|gehortet|gebunkert)",
        r"(?:mein|meine) (?:letzter|letzte) (?:post|beitrag|nachricht)",
        r"abschiedsbrie(?:f|fe)",
        r"meine entscheidung steht(?: fest)?",
        r"mein testament",
        r"(?:nehme|schlucke) (?:sie|ich sie) (?:\w+ ){0,2}alle",
        r"(?:strick|seil) (?:ist|liegt) (?:bereit|fertig)",
    ),
    timed=_rx(
        r"(?:springe|spring) ich",
        r"bringe? ich mich um",
        r"nehme ich mir das leben",
        r"ich (?:springe|bringe mich um|bring mich um|töte mich|erhänge mich|nehme mir das leben)",
        r"(?:mich|mir) (?:umbringen|das leben nehmen|erhängen|töten)",
        r"(?:nehme|schlucke) (?:\w+ ){0,3}(?:tabletten|pillen) (?:\w+ ){0,3}alle",
        r"(?:nehme|schlucke) (?:ich )?alle (?:\w+ )?(?:tabletten|pillen|medikamente)",
    ),
    time=_rx(
        r"heute (?:nacht|abend)",
        r"morgen(?: früh)?",
        r"am wochenende",
        r"jetzt",
        r"(?:am )?(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)",
    ),
    review=_rx(
        r"(?:ich )?(?:will|möchte|moechte|wünschte|wuensche) (?:\w+ ){0,2}(?:sterben|tot sein|"
        r"nicht "
        r"mehr leben|nicht mehr aufwachen|verschwinden)",
        r"nicht mehr (?:aufzuwachen|aufwachen|leben)",
        r"ohne mich (?:besser dran|besser)",
        r"ich (?:ritze|schneide|verletze) mich",
        r"(?:suizidgedanken|selbstmordgedanken|lebensmüde|lebensmuede)",
        r"ich bin (?:suizidal|eine last)",
    ),
)
_ES = _rules(
    "es",
    urgent=_rx(
        r"cartas? de despedida",
        r"mi (?:último|ultimo) (?:mensaje|post)",
        r"(?:este|esta) es mi (?:último|ultimo|última|ultima)",
        r"mi testamento",
        r"(?:he )?(?:guardado|juntado|acumulado) (?:todas )?(?:mis |las )?(?:pastillas|pastis|"
        r"pastas)",
        r"ya tengo (?:la cuerda|todo (?:listo|preparado|planeado))",
    ),
    timed=_rx(
        r"me voy a (?:matar|suicidar|tomar (?:todas )?(?:las |mis )?(?:pastillas|pastis)|tirar|"
        r"colgar)",
        r"me (?:mato|suicido|tiro (?:del|de la|por|al))",
        r"voy a (?:quitarme la vida|acabar con (?:todo|mi vida)|saltar|tirarme)",
        r"(?:me tomo|tomarme) todas las (?:pastillas|pastis)",
    ),
    time=_rx(
        r"esta noche",
        r"mañana",
        r"manana",
        r"este fin de semana",
        r"ahora",
        r"hoy",
        r"el (?:lunes|martes|miércoles|jueves|viernes|sábado|sabado|domingo)",
    ),
    review=_rx(
        r"quiero (?:morir(?:me)?|suicidarme|matarme|desaparecer|dejar de existir)",
        r"no quiero (?:vivir|seguir viviendo|despertar)",
        r"(?:dormir(?:me)?|no) y? ?no despertar",
        r"no despertar nunca",
        r"me (?:sigo )?(?:cort(?:o|ando|é|e)|hago daño|lastimo)",
        r"(?:estarían|estarian|estaría|estaria) mejor sin mí",
        r"soy una carga",
        r"(?:pensamientos suicidas|ganas de morir)",
    ),
)
_IT = _rules(
    "it",
    urgent=_rx(
        r"addio a tutti",
        r"(?:il mio|questo è il mio) (?:ultimo) (?:messaggio|post)",
        r"(?:ho scritto|scritto) (?:il testamento|le lettere|una lettera d'addio)",
        r"ho regalato (?:il mio|la mia|i miei|le mie)",
        r"ho (?:già )?(?:preparato|comprato) (?:la corda|le pillole)",
        r"(?:ho messo da parte|ho conservato) (?:tutte )?le pillole",
    ),
    timed=_rx(
        r"mi (?:ammazzo|uccido|butto|impicco|tolgo la vita)",
        r"la faccio finita",
        r"prendo tutte le (?:pillole|pasticche)",
    ),
    time=_rx(
        r"stanotte",
        r"stasera",
        r"domani",
        r"questo fine settimana",
        r"adesso",
        r"oggi",
        r"(?:lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica)",
    ),
    review=_rx(
        r"voglio (?:morire|farla finita|sparire|uccidermi|ammazzarmi)",
        r"vorrei (?:solo )?(?:morire|sparire|non svegliarmi|addormentarmi e non svegliarmi)",
        r"sparire per sempre",
        r"nessuno sentirebbe la mia mancanza",
        r"mi (?:sono )?(?:tagliat[oa]|taglio|faccio del male)",
        r"(?:pensieri suicidi|meglio senza di me)",
    ),
)
_PT = _rules(
    "pt",
    urgent=_rx(
        r"(?:este|esse) é o meu (?:último|ultimo) (?:post|mensagem)",
        r"minha (?:última|ultima) mensagem",
        r"cartas? de despedida",
        r"(?:já )?tenho tudo (?:planeado|planejado|pronto)",
        r"(?:comprimidos|remédios|remedios) que juntei",
        r"(?:juntei|guardei) (?:todos )?(?:os )?(?:comprimidos|remédios|remedios)",
    ),
    timed=_rx(
        r"vou (?:me )?(?:matar|suicidar)",
        r"vou tomar todos os (?:comprimidos|remédios|remedios)",
        r"me mato",
        r"vou (?:pular|me jogar)",
        r"vou tomar todos",
        r"vou acabar com (?:tudo|a minha vida)",
    ),
    time=_rx(
        r"hoje(?: à noite)?",
        r"esta noite",
        r"amanhã",
        r"amanha",
        r"no fim de semana",
        r"agora",
        r"n[oa] (?:segunda|terça|quarta|quinta|sexta|sábado|sabado|domingo)",
    ),
    review=_rx(
        r"(?:quero|queria) (?:morrer|sumir|desaparecer|me matar|dormir e não acordar)",
        r"não acordar mais",
        r"(?:dormir|adormecer) e (?:não|nunca mais) acordar",
        r"nunca mais acordar",
        r"não quero mais viver",
        r"(?:estariam|estaria) melhor sem mim",
        r"(?:me cortar|me corto|me cortei)",
        r"pensamentos suicidas",
    ),
)
_NL = _rules(
    "nl",
    urgent=_rx(
        r"(?:pillen|tabletten|medicijnen) (?:\w+ )?gespaard",
        r"mijn laatste bericht",
        r"afscheidsbrie(?:f|ven)",
        r"vaarwel",
        r"mijn testament",
    ),
    timed=_rx(
        r"neem ik ze (?:allemaal )?in",
        r"spring ik",
        r"ik (?:spring|ga (?:mezelf|me) (?:doden|ophangen|van het leven beroven))",
        r"maak ik er een (?:eind|einde) aan",
        r"pleeg ik zelfmoord",
        r"ik neem (?:al )?(?:mijn|de|alle) (?:pillen|tabletten) (?:\w+ )?in",
        r"neem ik (?:al )?(?:mijn|de|alle) (?:pillen|tabletten)(?: \w+)? in",
    ),
    time=_rx(
        r"vannacht",
        r"vanavond",
        r"morgen",
        r"dit weekend",
        r"nu",
        r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)",
    ),
    review=_rx(
        r"ik wil (?:dood|niet meer leven|er niet meer zijn|verdwijnen)",
        r"niet meer wakker (?:worden|werd)",
        r"(?:beter af|beter) zonder mij",
        r"ik (?:snij|kras|beschadig) mezelf",
        r"zelfmoordgedachten",
    ),
)
_PL = _rules(
    "pl",
    urgent=_rx(
        r"list pożegnalny",
        r"(?:to )?mój ostatni (?:post|wpis)",
        r"tabletki,? które odkładałam",
        r"(?:odkładałam|odkładałem|zbierałam|zbierałem) (?:\w+ )?tabletki",
        r"mój testament",
    ),
    timed=_rx(
        r"wezmę wszystkie tabletki",
        r"(?:skaczę|skoczę|rzucę się) (?:z|pod)",
        r"(?:zabiję|zabije) się",
        r"powieszę się",
        r"odbiorę sobie życie",
    ),
    time=_rx(
        r"(?:dziś|dzisiaj) (?:w nocy|wieczorem)",
        r"jutro(?: rano)?",
        r"w weekend",
        r"teraz",
        r"w (?:poniedziałek|wtorek|środę|czwartek|piątek|sobotę|niedzielę)",
    ),
    review=_rx(
        r"chcę umrzeć",
        r"chciał(?:a|)bym (?:umrzeć|zasnąć|zniknąć)",
        r"(?:już )?się nie obudzić",
        r"(?:byłoby|będzie) lepiej beze mnie",
        r"(?:się tnę|tnę się|pocięłam się|pociąłem się|okaleczam się)",
        r"myśli samobójcze",
        r"nie chcę (?:już )?żyć",
    ),
)

LANGUAGE_RULES: tuple[Rule, ...] = (*_FR, *_DE, *_ES, *_IT, *_PT, *_NL, *_PL)

# Cross-lingual cues: enough to ask a person to read a post in a language we have no rules for.
_UNCOVERED_CUES = _rx(
    r"suic\w*",
    r"su[ií]c[ií]d\w*",
    r"sinucid\w*",
    r"intihar\w*",
    r"sebevra[žz]d\w*",
    r"samob[oó]j\w*",
    r"samoubi\w*",
    r"самоуб\w*",
    r"суицид\w*",
    r"самогубств\w*",
    r"selbstmord\w*",
    r"selvmord\w*",
    r"självmord\w*",
    r"itsemurh\w*",
    r"öngyilkos\w*",
    r"bunuh diri",
    r"tự tử",
    r"magpakamatay",
    r"αυτοκτον\w*",
    r"انتحار",
    r"خودکشی",
    r"התאבד\w*",
    r"आत्महत्या",
    r"自殺",
    r"自杀",
    r"자살",
    r"ฆ่าตัวตาย",
    r"rip me",
    r"vill (?:inte leva|dö)",
    r"vil (?:ikke leve|bare dø|dø)",
    r"ta livet (?:mitt|av meg|av mig)",
    r"tage mit liv",
    r"skåret i mig selv",
    r"(?:en halua|haluan) (?:enää )?(?:elää|kuolla)",
    r"yaşamak istemiyorum",
    r"ölmek istiyorum",
    r"kendimi öldür\w*",
    r"ingin mati",
    r"mau mati",
    r"nechci žít",
    r"chci umřít",
    r"chcem zomrieť",
    r"nem akarok (?:tovább )?élni",
    r"meg akarok halni",
    r"(?:nu mai )?vreau să (?:mor|trăiesc)",
    r"želim umrijeti",
    r"ne želim živjeti",
    r"хочу умереть",
    r"хочу померти",
    r"не хочу жить",
    r"θέλω να πεθάνω",  # noqa: RUF001 - Greek, not look-alike Latin
    r"死にたい",
    r"想死",
    r"죽고 싶",
    r"muốn chết",
    r"noriu mirti",
    r"gribu nomirt",
    r"tahan surra",
    r"vull morir",
    r"eisiau marw",
    r"pill",
    r"kitchen knife",
    r"knot",
    r"coffin",
    r"drop of blood",
    r"dagger",
    r"headstone",
    r"\d{2,} ?(?:pills|tablets|mg)",
)
# "Kills me" idioms in the languages above that also contain a cue word are not cues.
_UNCOVERED_IDIOMS = re.compile(r"\b(?:dreper meg|dödar mig|tappaa minut)\b")


def uncovered_language_cues(text: str) -> list[str]:
    """Cross-lingual risk cues found in ``text`` (normalised, no English slang expanded)."""
    if _UNCOVERED_IDIOMS.search(text):
        text = _UNCOVERED_IDIOMS.sub(" ", text)
    return [match.group(0).strip() for match in _UNCOVERED_CUES.finditer(text)]
