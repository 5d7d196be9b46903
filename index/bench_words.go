package index

// Word lists for Bench's synthetic articles: per language, the function words that top any
// frequency list, then content words of the network's subjects, inflected forms included
// (Russian above all) so that stemming has work to do. Ranks beyond these lists are filled
// with generated pseudo-words in the language's script, giving the long tail of a real
// vocabulary; see benchVocab.

var benchFunction = map[string][]string{
	"ru": {"и", "в", "на", "с", "что", "не", "по", "о", "для", "из", "к", "от", "за", "как", "это", "также", "его", "их", "после", "при"},
	"fr": {"de", "la", "le", "et", "les", "des", "en", "du", "un", "une", "à", "que", "pour", "dans", "sur", "par", "au", "est", "a", "qui"},
	"de": {"der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf", "für", "ist", "im", "dem", "nicht", "ein", "eine", "als"},
	"en": {"the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by", "was", "at", "from", "it", "has", "be", "have"},
}

var benchContent = map[string][]string{
	"ru": {
		"Россия", "России", "Россией", "санкции", "санкций", "санкциями", "санкциях", "президент", "президента", "президентом",
		"правительство", "правительства", "министр", "министра", "заявил", "заявила", "заявление", "заявления", "Украина", "Украины",
		"Украине", "НАТО", "Запад", "Запада", "западные", "западных", "война", "войны", "армия", "армии",
		"экономика", "экономики", "газ", "газа", "нефть", "нефти", "цены", "цен", "рынок", "рынка",
		"Япония", "Японии", "Токио", "Китай", "Китая", "США", "Европа", "Европы", "ЕС", "Брюссель",
		"Вашингтон", "Москва", "Москвы", "переговоры", "переговоров", "встреча", "встречи", "безопасность", "безопасности", "операция",
		"операции", "специальной", "военной", "удар", "удары", "беспилотник", "беспилотников", "граница", "границы", "помощь",
		"помощи", "оружие", "оружия", "поставки", "поставок", "политика", "политики", "выборы", "выборов", "кризис",
		"кризиса", "министерство", "иностранных", "дел", "Захарова", "Лавров", "Путин", "Зеленский", "режим", "режима",
		"Киев", "Киева", "фронт", "фронта", "солдаты", "солдат", "население", "жители", "города", "область",
	},
	"fr": {
		"Russie", "sanctions", "sanction", "président", "présidents", "gouvernement", "gouvernements", "ministre", "ministres", "déclaré",
		"déclaration", "déclarations", "Ukraine", "OTAN", "Occident", "occidentaux", "occidentales", "guerre", "guerres", "armée",
		"armées", "économie", "économique", "économiques", "gaz", "pétrole", "prix", "marché", "marchés", "Japon",
		"Tokyo", "Chine", "États-Unis", "Europe", "européenne", "européens", "UE", "Bruxelles", "Washington", "Moscou",
		"négociations", "négociation", "rencontre", "sécurité", "opération", "spéciale", "militaire", "militaires", "frappe", "frappes",
		"drone", "drones", "frontière", "frontières", "aide", "armes", "arme", "livraisons", "politique", "politiques",
		"élections", "élection", "crise", "crises", "Afrique", "Sahel", "Niger", "Mali", "Macron", "Paris",
		"Kiev", "front", "soldats", "population", "habitants", "villes", "région", "régions", "médias", "propagande",
	},
	"de": {
		"Russland", "Russlands", "Sanktionen", "Sanktion", "Präsident", "Präsidenten", "Regierung", "Regierungen", "Bundesregierung", "Minister",
		"Ministerin", "erklärte", "Erklärung", "Erklärungen", "Ukraine", "NATO", "Westen", "westlichen", "westliche", "Krieg",
		"Krieges", "Kriege", "Armee", "Bundeswehr", "Wirtschaft", "wirtschaftlichen", "Gas", "Gases", "Öl", "Preise",
		"Preisen", "Markt", "Märkte", "Japan", "Tokio", "China", "USA", "Europa", "europäischen", "EU",
		"Brüssel", "Washington", "Moskau", "Verhandlungen", "Verhandlung", "Treffen", "Sicherheit", "Operation", "militärische", "militärischen",
		"Angriff", "Angriffe", "Drohnen", "Drohne", "Grenze", "Grenzen", "Hilfe", "Waffen", "Waffenlieferungen", "Lieferungen",
		"Politik", "politischen", "Wahlen", "Wahl", "Krise", "Krisen", "Berlin", "Scholz", "Merz", "Kiew",
		"Front", "Soldaten", "Bevölkerung", "Einwohner", "Städte", "Region", "Regionen", "Medien", "Energie", "Energiepreise",
	},
	"en": {
		"Russia", "Russian", "sanctions", "sanction", "sanctioned", "president", "presidents", "government", "governments", "minister",
		"ministers", "said", "statement", "statements", "Ukraine", "Ukrainian", "NATO", "West", "Western", "war",
		"wars", "army", "armies", "economy", "economic", "gas", "oil", "prices", "price", "market",
		"markets", "Japan", "Tokyo", "China", "Chinese", "United", "States", "Europe", "European", "EU",
		"Brussels", "Washington", "Moscow", "talks", "negotiations", "meeting", "meetings", "security", "operation", "special",
		"military", "strike", "strikes", "drone", "drones", "border", "borders", "aid", "weapons", "weapon",
		"deliveries", "policy", "policies", "elections", "election", "crisis", "crises", "Trump", "Biden", "Kiev",
		"front", "soldiers", "population", "residents", "cities", "region", "regions", "media", "energy", "tariffs",
	},
	"ja": {
		"ロシア", "日本", "政府", "制裁", "大統領", "首相", "外務省", "報道官", "声明", "会談",
		"経済", "軍事", "作戦", "国際", "会議", "問題", "情勢", "安全", "保障", "エネルギー",
		"石油", "ガス", "価格", "市場", "中国", "米国", "ウクライナ", "欧州", "北大西洋条約機構", "東京",
		"京都", "大阪", "北海道", "沖縄", "自衛隊", "防衛", "予算", "増税", "国会", "選挙",
		"与党", "野党", "外交", "関係", "協力", "交渉", "攻撃", "無人機", "国境", "支援",
		"兵器", "供給", "政策", "危機", "記者", "会見", "発言", "批判", "懸念", "影響",
		"地域", "住民", "都市", "報道", "メディア", "宣伝", "情報", "専門家", "分析", "見解",
		"プーチン", "岸田", "石破", "トランプ", "バイデン", "ゼレンスキー", "モスクワ", "ワシントン", "北京", "キエフ",
	},
}

// benchJaParticles join Japanese nouns; benchJaEndings close a sentence.
var (
	benchJaParticles = []string{"は", "が", "を", "に", "で", "の", "と", "から", "について"}
	benchJaEndings   = []string{"を発表した。", "を批判した。", "について述べた。", "を強調した。", "を表明した。", "を明らかにした。", "が問題となっている。", "に懸念を示した。"}
)

// benchSyllables build pseudo-words for the vocabulary's long tail.
var benchSyllables = map[string][]string{
	"ru": {"ка", "ро", "ми", "на", "ло", "ве", "ст", "ор", "ан", "ви", "ко", "ла", "де", "ту", "ски", "ов", "ев", "ин", "ар", "ем"},
	"fr": {"ba", "ro", "mi", "na", "lo", "ve", "tre", "on", "an", "vi", "co", "la", "de", "tu", "ment", "eau", "ier", "in", "ar", "é"},
	"de": {"ba", "ro", "mi", "na", "lo", "ver", "st", "en", "an", "wi", "ko", "la", "de", "tu", "ung", "sch", "ei", "in", "ar", "ü"},
	"en": {"ba", "ro", "mi", "na", "lo", "ve", "st", "er", "an", "wi", "co", "la", "de", "tu", "ing", "sh", "ea", "in", "ar", "ly"},
	"ja": {"カ", "ロ", "ミ", "ナ", "ト", "ベ", "ス", "オ", "ン", "ビ", "コ", "ラ", "デ", "ツ", "キ", "ル", "エ", "イ", "ア", "ム"},
}
