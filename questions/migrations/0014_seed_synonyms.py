"""A first list of the abbreviations and names journalists meet in Flemish written questions. Editors keep
it in the admin (Synonyms); a re-run adds nothing twice."""

from django.db import migrations

from questions.names import name_key

SYNONYMS = [
    ("VDAB", "Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding"),
    ("VAPH", "Vlaams Agentschap voor Personen met een Handicap"),
    ("VLAIO", "Agentschap Innoveren en Ondernemen"),
    ("AHOVOKS", "Agentschap voor Hoger Onderwijs, Volwassenenonderwijs, Kwalificaties en Studietoelagen"),
    ("De Lijn", "Vlaamse Vervoermaatschappij"),
    ("VMM", "Vlaamse Milieumaatschappij"),
    ("OVAM", "Openbare Vlaamse Afvalstoffenmaatschappij"),
    ("ANB", "Agentschap voor Natuur en Bos"),
    ("AWV", "Agentschap Wegen en Verkeer"),
    ("MOW", "Mobiliteit en Openbare Werken"),
    ("VRT", "Vlaamse Radio- en Televisieomroeporganisatie"),
    ("VLM", "Vlaamse Landmaatschappij"),
    ("VEKA", "Vlaams Energie- en Klimaatagentschap"),
    ("VREG", "Vlaamse Regulator van de Elektriciteits- en Gasmarkt"),
    ("VMSW", "Vlaamse Maatschappij voor Sociaal Wonen"),
    ("VIPA", "Vlaams Infrastructuurfonds voor Persoonsgebonden Aangelegenheden"),
    ("VVSG", "Vereniging van Vlaamse Steden en Gemeenten"),
    ("OCMW", "Openbaar Centrum voor Maatschappelijk Welzijn"),
    ("CLB", "Centrum voor Leerlingenbegeleiding"),
    ("CAW", "Centrum Algemeen Welzijnswerk"),
    ("OKAN", "Onthaalklas voor anderstalige nieuwkomers"),
    ("BSO", "Beroepssecundair onderwijs"),
    ("TSO", "Technisch secundair onderwijs"),
    ("ASO", "Algemeen secundair onderwijs"),
    ("VLIR", "Vlaamse Interuniversitaire Raad"),
    ("VLHORA", "Vlaamse Hogescholenraad"),
    ("FWO", "Fonds Wetenschappelijk Onderzoek"),
    ("VITO", "Vlaamse Instelling voor Technologisch Onderzoek"),
    ("Bloso", "Sport Vlaanderen"),
    ("Kind en Gezin", "Opgroeien"),
    ("ABB", "Agentschap Binnenlands Bestuur"),
    ("VAZG", "Vlaams Agentschap Zorg en Gezondheid"),
    ("VSB", "Vlaamse sociale bescherming"),
    ("Waterwegen en Zeekanaal", "De Vlaamse Waterweg"),
    ("SERV", "Sociaal-Economische Raad van Vlaanderen"),
    ("ESF", "Europees Sociaal Fonds"),
    ("EFRO", "Europees Fonds voor Regionale Ontwikkeling"),
    ("FOD", "Federale Overheidsdienst"),
    ("RVA", "Rijksdienst voor Arbeidsvoorziening"),
    ("RIZIV", "Rijksinstituut voor Ziekte- en Invaliditeitsverzekering"),
    ("NMBS", "Nationale Maatschappij der Belgische Spoorwegen"),
    ("KMO", "kleine en middelgrote ondernemingen"),
    ("RUP", "ruimtelijk uitvoeringsplan"),
    ("MER", "milieueffectrapport"),
    ("GAS", "gemeentelijke administratieve sanctie"),
    ("PFAS", "poly- en perfluoralkylstoffen"),
    ("VLAREM", "Vlaams reglement betreffende de milieuvergunning"),
    ("BBC", "beleids- en beheerscyclus"),
    ("OV", "openbaar vervoer"),
    ("btw", "belasting over de toegevoegde waarde"),
]


def add_synonyms(apps, pairs) -> None:
    """Add (term, expansion) pairs that are not there yet (migration 0016 adds more the same way)."""
    Synonym = apps.get_model("questions", "Synonym")
    for term, expansion in pairs:
        Synonym.objects.get_or_create(
            term_key=name_key(term), expansion_key=name_key(expansion),
            defaults={"term": term, "expansion": expansion},
        )


def seed(apps, schema_editor):
    add_synonyms(apps, SYNONYMS)


class Migration(migrations.Migration):
    dependencies = [("questions", "0013_synonyms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
