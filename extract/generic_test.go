package extract

import (
	"strings"
	"testing"
	"time"
)

// Outlet pages: the body's sentences in, the page furniture out.
func TestGenericOutlets(t *testing.T) {
	tests := []struct {
		page                 fixture
		title, lang, pub     string
		body                 []string // every one must be in the text
		furniture            []string // none may be
		category             string
		canonical, firstPara string
	}{{
		page:  tassPage,
		title: "Захарова назвала новые санкции Японии недружественным шагом", lang: "ru",
		pub: "2024-05-01T09:12:00+03:00", category: "Политика",
		canonical: "https://tass.ru/politika/20712345",
		firstPara: "МОСКВА, 1 мая. /ТАСС/. Официальный представитель МИД России Мария Захарова назвала новые санкции Японии против российских компаний недружественным шагом и пообещала ответные меры.",
		body: []string{
			"Такие действия не останутся без ответа",
			"ограничения затрагивают двенадцать компаний",
			"четырнадцатый пакет ограничений",
		},
		furniture: []string{"cookie", "Поделиться", "ВКонтакте", "Читайте также", "Лавров", "Самое читаемое",
			"Свидетельство", "Поиск", "Главная", "Япония Санкции"},
	}, {
		page:  riaPage,
		title: "В МИД России ответили на санкции Японии", lang: "ru",
		pub:       "2024-05-01T10:45:00+03:00",
		canonical: "https://ria.ru/20240501/zakharova-1942345678.html",
		body: []string{
			"МОСКВА, 1 мая – РИА Новости. Россия не оставит без ответа новые санкции Японии",
			"нанося ущерб собственным интересам",
			"Под ограничения попали двенадцать компаний",
			"резко ухудшились",
		},
		furniture: []string{"© РИА Новости", "Лента новостей", "Зенит", "Роскомнадзор", "ВК", "Политика"},
	}, {
		page:  rtPage,
		title: "Moscow vows response to new Japanese sanctions", lang: "en",
		pub:       "2024-05-01T08:30:00Z",
		canonical: "https://www.rt.com/russia/598765-zakharova-japan-sanctions-response/",
		firstPara: "Russia will respond to Japan's latest round of sanctions, Foreign Ministry spokeswoman Maria Zakharova said on Wednesday, describing the measures as \"deeply unfriendly.\"",
		body: []string{
			"twelve companies and four individuals",
			"at the behest of Washington",
			"deteriorated sharply since 2022",
		},
		furniture: []string{"READ MORE", "Japan expands sanctions list", "Follow RT", "Trending", "Comments",
			"Nobody cares", "TV-Novosti", "Sputnik / Alexey Nikolsky"},
	}}
	for _, tt := range tests {
		t.Run(tt.page.file, func(t *testing.T) {
			for name, a := range map[string]*Article{"Generic": mustGeneric(t, tt.page), "Any": mustAny(t, tt.page)} {
				if a.Template != TemplateGeneric {
					t.Errorf("%s: template = %q", name, a.Template)
				}
				if a.Title != tt.title || a.Lang != tt.lang || a.Category != tt.category || a.CanonicalURL != tt.canonical {
					t.Errorf("%s: title %q lang %q category %q canonical %q", name, a.Title, a.Lang, a.Category, a.CanonicalURL)
				}
				if got := a.Published.Format(time.RFC3339); got != tt.pub {
					t.Errorf("%s: published = %s, want %s", name, got, tt.pub)
				}
				for _, s := range tt.body {
					if !strings.Contains(a.Text, s) {
						t.Errorf("%s: text lacks %q:\n%s", name, s, a.Text)
					}
				}
				for _, s := range tt.furniture {
					if strings.Contains(a.Text, s) {
						t.Errorf("%s: text has furniture %q:\n%s", name, s, a.Text)
					}
				}
				if strings.HasPrefix(a.Text, tt.title) {
					t.Errorf("%s: text repeats the headline", name)
				}
				if tt.firstPara != "" && strings.SplitN(a.Text, "\n\n", 2)[0] != tt.firstPara {
					t.Errorf("%s: first paragraph = %q", name, strings.SplitN(a.Text, "\n\n", 2)[0])
				}
				if a.Site != "" || a.ID != 0 || a.Source != nil || len(a.Warnings) > 0 {
					t.Errorf("%s: site %q id %d source %v warnings %q", name, a.Site, a.ID, a.Source, a.Warnings)
				}
				if len(a.Images) == 0 || a.Images[0].MD5 != "" {
					t.Errorf("%s: images = %v", name, a.Images)
				}
			}
		})
	}
}

func mustGeneric(t *testing.T, f fixture) *Article {
	t.Helper()
	a, err := Generic(f.read(t), f.url)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustAny(t *testing.T, f fixture) *Article {
	t.Helper()
	a, err := Any(f.read(t), f.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Any takes the template for network pages (whatever host served them) and readability
// for the rest, including outlet pages that reuse the template's class names.
func TestAnyPicks(t *testing.T) {
	for _, f := range networkPages {
		if a := mustAny(t, f); a.Template != TemplateNetwork {
			t.Errorf("%s: template %q", f.file, a.Template)
		} else if want := mustPage(t, f); a.BodyHash != want.BodyHash || a.Site != want.Site {
			t.Errorf("%s: Any differs from Page", f.file)
		}
	}
	for _, f := range outletPages {
		if a := mustAny(t, f); a.Template != TemplateGeneric {
			t.Errorf("%s: template %q", f.file, a.Template)
		}
	}
	// An unknown host with the CMS's own markers is still the network's template.
	page := strings.ReplaceAll(string(japanPage.read(t)), "japan.news-pravda.com", "new-mirror.example")
	a, err := Any([]byte(page), "https://new-mirror.example/world/2024/05/01/12345.html", nil)
	if err != nil || a.Template != TemplateNetwork {
		t.Errorf("unknown host with template markers: %v %v", a.Template, err)
	}
	// An off-template page of a network family site still gets its identity.
	off := `<html lang="ru"><head><title>Новость</title></head><body><div class="content"><h1>Новость</h1>` +
		strings.Repeat("<p>Длинный абзац текста новости, достаточно длинный для readability. </p>", 8) + `</div></body></html>`
	a, err = Any([]byte(off), "https://dnr-news.ru/society/2023/11/02/12345.html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Text, "Длинный абзац") || a.Lang != "ru" {
		t.Errorf("family page text %q lang %q", a.Text, a.Lang)
	}
	if a.Template != TemplateGeneric || a.Site != "dnr-news.ru" || a.ID != 12345 || a.CategoryPath != "society" ||
		a.Published.Format(time.RFC3339) != "2023-11-02T00:00:00+03:00" {
		t.Errorf("family page: %s %q %d %q %s", a.Template, a.Site, a.ID, a.CategoryPath, a.Published)
	}
}

// Readability on the network's own pages, for comparison: it finds the body too, but the
// template extractor is the one that knows credits and categories.
func TestGenericOnNetworkPages(t *testing.T) {
	a := mustGeneric(t, japanPage)
	for _, p := range []string{jaP1, jaP3} {
		if !strings.Contains(a.Text, p) {
			t.Errorf("generic text lacks %q:\n%s", p, a.Text)
		}
	}
	if strings.Contains(a.Text, "写真") || strings.HasPrefix(a.Text, jaTitle) {
		t.Errorf("generic text has a caption or the headline:\n%s", a.Text)
	}
}

// PublishedTime reads what Generic reads, with or without the meta tags that spare it
// readability: every fixture, and each once more stripped of its machine-readable times.
func TestPublishedTimeEqualsGeneric(t *testing.T) {
	strip := strings.NewReplacer("article:published_time", "x-a", "og:published_time", "x-b",
		"datePublished", "x-c", "datetime=", "data-x=", `name="date"`, `name="x-d"`, "pubdate", "x-e")
	for _, f := range []fixture{japanPage, japanAMP, francaisPage, notimePage, uncredited, networkCredit,
		malformedPage, tassPage, riaPage, rtPage} {
		for _, page := range [][]byte{f.read(t), []byte(strip.Replace(string(f.read(t))))} {
			a, err := Generic(page, f.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := PublishedTime(page, f.url)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(a.Published) {
				t.Errorf("%s: PublishedTime %v, Generic %v", f.file, got, a.Published)
			}
		}
	}
}
