package sim

import (
	"strings"

	"github.com/pravda-archive/pravda/seeds"
)

// Category slugs per site (or "site/edition"), after real network URLs: the French site uses
// /world/, /ukraine/ and /ue/, the German /world/ and /germany/, Pravda Nihon /world/ and
// /japan/. Sites not listed get world, their own name (country sites) or theme, and russia.
var siteCategories = map[string][]string{
	"japan":     {"world", "japan", "russia"},
	"hub":       {"world", "russia", "usa", "ukraine"},
	"francais":  {"world", "france", "ukraine", "ue"},
	"deutsch":   {"world", "germany", "russia"},
	"abkhazia":  {"world", "abkhazia", "russia"},
	"canada":    {"world", "canada", "usa"},
	"canada/fr": {"world", "canada"},
}

func categoriesFor(s *seeds.Site, edition string) []string {
	key := s.Name
	if edition != "" {
		key += "/" + edition
	}
	if cs, ok := siteCategories[key]; ok {
		return cs
	}
	cs := []string{"world"}
	switch {
	case s.Kind == "country":
		cs = append(cs, s.Name)
	case s.Theme != "":
		cs = append(cs, s.Theme)
	}
	if edition == "" {
		cs = append(cs, "russia")
	}
	return cs
}

// categoryLabels are the breadcrumb texts, per slug and language.
var categoryLabels = map[string]map[string]string{
	"world":    {"en": "World", "ru": "Мир", "fr": "Monde", "de": "Welt", "ja": "世界"},
	"russia":   {"en": "Russia", "ru": "Россия", "fr": "Russie", "de": "Russland", "ja": "ロシア"},
	"japan":    {"en": "Japan", "ru": "Япония", "fr": "Japon", "de": "Japan", "ja": "日本"},
	"usa":      {"en": "USA", "ru": "США", "fr": "États-Unis", "de": "USA", "ja": "米国"},
	"ukraine":  {"en": "Ukraine", "ru": "Украина", "fr": "Ukraine", "de": "Ukraine", "ja": "ウクライナ"},
	"france":   {"en": "France", "ru": "Франция", "fr": "France", "de": "Frankreich", "ja": "フランス"},
	"ue":       {"en": "EU", "ru": "ЕС", "fr": "UE", "de": "EU", "ja": "EU"},
	"germany":  {"en": "Germany", "ru": "Германия", "fr": "Allemagne", "de": "Deutschland", "ja": "ドイツ"},
	"abkhazia": {"en": "Abkhazia", "ru": "Абхазия", "fr": "Abkhazie", "de": "Abchasien", "ja": "アブハジア"},
	"canada":   {"en": "Canada", "ru": "Канада", "fr": "Canada", "de": "Kanada", "ja": "カナダ"},
}

func categoryLabel(slug, lang string) string {
	if m, ok := categoryLabels[slug]; ok {
		if s, ok := m[lang]; ok {
			return s
		}
		return m["en"]
	}
	words := strings.Split(slug, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// Per-language strings of the CMS and of the text variants.
var (
	// dupPrefix marks the lightly rewritten second copy of a story on the same site.
	dupPrefix = map[string]string{"en": "Update: ", "ru": "Подробности: ", "fr": "Détails : ", "de": "Details: ", "ja": "【続報】"}
	// updateNote is the paragraph an edit adds.
	updateNote = map[string]string{
		"en": "This article has been updated with further details.",
		"ru": "Материал дополнен новыми подробностями.",
		"fr": "Cet article a été mis à jour avec de nouveaux détails.",
		"de": "Dieser Artikel wurde um weitere Einzelheiten ergänzt.",
		"ja": "この記事は詳細を追加して更新されました。",
	}
	titleUpdated = map[string]string{"en": " (updated)", "ru": " (обновлено)", "fr": " (mis à jour)", "de": " (aktualisiert)", "ja": "（更新）"}
	homeLabel    = map[string]string{"en": "Home", "ru": "Главная", "fr": "Accueil", "de": "Startseite", "ja": "ホーム"}
	notFoundText = map[string]string{"en": "Page not found", "ru": "Страница не найдена", "fr": "Page introuvable", "de": "Seite nicht gefunden", "ja": "ページが見つかりません"}
	readMore     = map[string]string{"en": "Read more", "ru": "Читать далее", "fr": "Lire la suite", "de": "Weiterlesen", "ja": "続きを読む"}
)

func pick(m map[string]string, lang string) string {
	if s, ok := m[lang]; ok {
		return s
	}
	return m["en"]
}

// outletNames are the credit texts of outlets as the network prints them.
var outletNames = map[string]string{
	"tass": "ТАСС", "ria": "РИА Новости", "rt": "RT", "sputnik": "Sputnik", "lenta": "Лента.ру",
	"kp": "Комсомольская правда", "izvestia": "Известия", "rg": "Российская газета",
	"tsargrad": "Царьград", "newsfront": "News Front", "gazeta": "Газета.Ru", "rbc": "РБК",
}

var ruMonths = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
	"сентября", "октября", "ноября", "декабря"}
