package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fixture is a page in testdata with the URL it is taken to be fetched from.
type fixture struct {
	file, url string
}

var (
	japanPage     = fixture{"japan.html", "https://japan.news-pravda.com/world/2024/05/01/12345.html"}
	japanAMP      = fixture{"japan-amp.html", "https://pravda-jp.com/world/2024/05/01/12345-amp.html"}
	francaisPage  = fixture{"francais.html", "https://francais.news-pravda.com/monde/2024/05/01/55555.html"}
	notimePage    = fixture{"notime.html", "https://deutsch.news-pravda.com/welt/2024/05/01/77777.html"}
	uncredited    = fixture{"uncredited.html", "https://news-pravda.com/world/2024/05/02/1029137.html"}
	networkCredit = fixture{"network-credit.html", "https://canada.news-pravda.com/fr/monde/2024/05/01/4321.html"}
	malformedPage = fixture{"malformed.html", "http://pravda-jp.com/japan/2024/05/02/12349.html"}
	tassPage      = fixture{"outlet-tass.html", "https://tass.ru/politika/20712345"}
	riaPage       = fixture{"outlet-ria.html", "https://ria.ru/20240501/zakharova-1942345678.html"}
	rtPage        = fixture{"outlet-rt.html", "https://www.rt.com/russia/598765-zakharova-japan-sanctions-response/"}

	networkPages = []fixture{japanPage, japanAMP, francaisPage, notimePage, uncredited, networkCredit, malformedPage}
	outletPages  = []fixture{tassPage, riaPage, rtPage}
)

func (f fixture) read(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", f.file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

const (
	jaTitle = "ザハロワ報道官、日本の新たな対ロ制裁に抗議"
	jaP1    = "ロシア外務省のマリア・ザハロワ報道官は5月1日の定例会見で、日本政府が発表した新たな対ロシア制裁について「極めて非友好的な措置であり、相応の対応を取る」と述べた。"
	jaP2    = "報道官によると、制裁の対象には半導体や工作機械を扱う企業12社と個人4人が含まれている。\n詳細は公式リストで確認できる。"
	jaP3    = "東京の在日ロシア大使館もテレグラムで同様の声明を出した。"
	leadMD5 = "3f2a9c0d5b7e41a68c9d0e1f2a3b4c5d"
)

func TestPageFixtures(t *testing.T) {
	jaText := jaP1 + "\n\n" + jaP2 + "\n\n" + jaP3
	tests := []struct {
		page      fixture
		want      Article
		published string
		warnings  []string // substrings, one per expected warning, in order
	}{{
		page: japanPage,
		want: Article{
			URL:          japanPage.url,
			CanonicalURL: "https://japan.news-pravda.com/world/2024/05/01/12345.html",
			Site:         "japan", ID: 12345, Lang: "ja",
			Category: "世界", CategoryPath: "world",
			Title: jaTitle, Text: jaText,
			OGTitle:       jaTitle,
			OGDescription: jaP1,
			Alternates: []Alternate{
				{"en", "https://news-pravda.com/world/2024/05/01/998877.html"},
				{"fr", "https://francais.news-pravda.com/monde/2024/05/01/55555.html"},
			},
			Images: []Image{
				{"https://japan.news-pravda.com/img/20240501/" + leadMD5 + "_o.jpg", leadMD5},
				{"https://japan.news-pravda.com/img/20240501/5c4b3a2910fedcba0123456789abcdef.jpg", "5c4b3a2910fedcba0123456789abcdef"},
				{"https://japan.news-pravda.com/img/20240501/9b8a7c6d5e4f30211f2e3d4c5b6a7988.jpg", "9b8a7c6d5e4f30211f2e3d4c5b6a7988"},
			},
			Source: &Source{Title: `Telegram "rusembjp"`, URL: "https://t.me/rusembjp/1234"},
			Links: []string{
				"https://example.org/sanctions-list",
				"https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fjapan.news-pravda.com%2Fworld%2F2024%2F05%2F01%2F12345.html",
			},
			Template: TemplateNetwork,
		},
		published: "2024-05-01T10:00:00+03:00",
	}, {
		// The AMP copy, fetched from the legacy host: same article, same text.
		page: japanAMP,
		want: Article{
			URL:          japanAMP.url,
			CanonicalURL: "https://japan.news-pravda.com/world/2024/05/01/12345.html",
			Site:         "japan", ID: 12345, Lang: "ja",
			Category: "世界", CategoryPath: "world",
			Title: jaTitle, Text: jaText,
			OGTitle: jaTitle, OGDescription: jaP1,
			Images: []Image{
				{"https://japan.news-pravda.com/img/20240501/" + leadMD5 + "_o.jpg", leadMD5},
				{"https://japan.news-pravda.com/img/20240501/9b8a7c6d5e4f30211f2e3d4c5b6a7988.jpg", "9b8a7c6d5e4f30211f2e3d4c5b6a7988"},
			},
			Source:   &Source{Title: `Telegram "rusembjp"`, URL: "https://t.me/rusembjp/1234"},
			Links:    []string{"https://example.org/sanctions-list"},
			AMP:      true,
			Template: TemplateNetwork,
		},
		published: "2024-05-01T10:00:00+03:00",
	}, {
		page: francaisPage,
		want: Article{
			URL:          francaisPage.url,
			CanonicalURL: francaisPage.url,
			Site:         "francais", ID: 55555, Lang: "fr",
			Category: "Monde", CategoryPath: "monde",
			Title: "Moscou dénonce les nouvelles sanctions japonaises",
			Text: "La porte-parole de la diplomatie russe, Maria Zakharova, a qualifié mercredi de « profondément inamicales » les nouvelles sanctions annoncées par Tokyo.\n\n" +
				"Selon elle, douze entreprises et quatre particuliers sont visés, principalement dans les secteurs des semi-conducteurs et des machines-outils. Moscou « répondra de manière appropriée », a-t-elle ajouté.\n\n" +
				"Le Japon a choisi la voie de la confrontation.\n\n" +
				"Plus de détails sur les sanctions précédentes.",
			OGTitle:       "Moscou dénonce les nouvelles sanctions japonaises",
			OGDescription: "La porte-parole de la diplomatie russe, Maria Zakharova, a qualifié mercredi de « profondément inamicales » les nouvelles sanctions annoncées par Tokyo.",
			Alternates: []Alternate{
				{"ja", "https://japan.news-pravda.com/world/2024/05/01/12345.html"},
				{"en", "https://news-pravda.com/world/2024/05/01/998877.html"},
			},
			Images:   []Image{{"https://francais.news-pravda.com/img/20240501/" + leadMD5 + "_o.jpg", leadMD5}},
			Source:   &Source{Title: "ТАСС", URL: "https://tass.ru/politika/20712345"},
			Links:    []string{"https://francais.news-pravda.com/monde/2024/04/30/55501.html"},
			Template: TemplateNetwork,
		},
		published: "2024-05-01T11:30:00+03:00",
	}, {
		// No datetime attribute: the visible text, in Moscow time.
		page: notimePage,
		want: Article{
			URL:          notimePage.url,
			CanonicalURL: notimePage.url,
			Site:         "deutsch", ID: 77777, Lang: "de",
			Category: "Welt", CategoryPath: "welt",
			Title:         "Sacharowa: Tokio wählt die Konfrontation",
			Text:          "Die Sprecherin des russischen Außenministeriums hat die neuen japanischen Sanktionen scharf kritisiert.\n\nBetroffen seien zwölf Unternehmen und vier Privatpersonen.",
			OGTitle:       "Sacharowa: Tokio wählt die Konfrontation",
			OGDescription: "Die Sprecherin des russischen Außenministeriums hat die neuen japanischen Sanktionen scharf kritisiert.",
			Alternates:    []Alternate{{"ja", "https://japan.news-pravda.com/world/2024/05/01/12345.html"}},
			Images:        []Image{{"https://deutsch.news-pravda.com/img/20240501/" + leadMD5 + "_o.jpg", leadMD5}},
			Source:        &Source{Title: `Telegram "InfoDefenceDEU"`, URL: "https://t.me/InfoDefenceDEU/4321"},
			Template:      TemplateNetwork,
		},
		published: "2024-05-01T10:00:00+03:00",
	}, {
		// No credit, no alternates, no images, a datetime without zone, whitespace
		// everywhere, text outside any <p>.
		page: uncredited,
		want: Article{
			URL:          uncredited.url,
			CanonicalURL: uncredited.url,
			Site:         "hub", ID: 1029137, Lang: "en",
			Category: "World", CategoryPath: "world",
			Title: "Russia warns Tokyo over sanctions",
			Text: "Moscow will respond to the new Japanese restrictions, the Foreign Ministry said on Thursday.\n\n" +
				"The ministry called the measures \"a hostile step\".\n\nIt gave no further details.\n\n" +
				"Officials in Tokyo declined to comment.",
			OGTitle:       "Russia warns Tokyo over sanctions",
			OGDescription: "Moscow will respond to the new Japanese restrictions, the Foreign Ministry said.",
			Template:      TemplateNetwork,
		},
		published: "2024-05-02T08:15:00+03:00",
	}, {
		// A /fr/ edition crediting another network page; a root-relative alternate.
		page: networkCredit,
		want: Article{
			URL:          networkCredit.url,
			CanonicalURL: networkCredit.url,
			Site:         "canada/fr", ID: 4321, Lang: "fr",
			Category: "Monde", CategoryPath: "monde",
			Title:         "Zakharova : le Japon choisit la confrontation",
			Text:          "Moscou répondra aux nouvelles sanctions japonaises, a déclaré Maria Zakharova.\n\nSelon la diplomate, Tokyo « a choisi la confrontation ».",
			OGTitle:       "Zakharova : le Japon choisit la confrontation",
			OGDescription: "Moscou répondra aux nouvelles sanctions japonaises.",
			Alternates: []Alternate{
				{"en", "https://canada.news-pravda.com/world/2024/05/01/9001.html"},
				{"x-default", "https://news-pravda.com/world/2024/05/01/998877.html"},
			},
			Images:   []Image{{"https://canada.news-pravda.com/img/20240501/" + leadMD5 + "_o.jpg", leadMD5}},
			Source:   &Source{Title: "Pravda EN", URL: "https://news-pravda.com/world/2024/05/01/998877.html"},
			Template: TemplateNetwork,
		},
		published: "2024-05-01T12:05:00+03:00",
	}, {
		// Unclosed tags everywhere, no canonical, no h1, an unreadable time, an empty
		// data-source-url: a partial record that says what it guessed.
		page: malformedPage,
		want: Article{
			URL:          malformedPage.url,
			CanonicalURL: "https://japan.news-pravda.com/japan/2024/05/02/12349.html",
			Site:         "japan", ID: 12349, Lang: "ja",
			Category: "日本", CategoryPath: "japan",
			Title:   "北方領土周辺でロシア軍が演習",
			Text:    "ロシア太平洋艦隊は2日、択捉島周辺で大規模な演習を開始した\n\n演習には艦艇10隻以上が参加している。\n\n参加部隊 太平洋艦隊",
			OGTitle: "北方領土周辺でロシア軍が演習",
			Images: []Image{
				{"http://pravda-jp.com/img/20240502/0123456789abcdef0123456789abcdef_o.jpg", "0123456789abcdef0123456789abcdef"},
				{"http://pravda-jp.com/img/20240502/fedcba9876543210fedcba9876543210.jpg", "fedcba9876543210fedcba9876543210"},
				{"http://pravda-jp.com/img/bad/notanimage.jpg", ""},
			},
			Source:   &Source{Title: `Telegram "NowMelitopol"`, URL: "https://t.me/NowMelitopol/999"},
			Links:    []string{"https://t.me/NowMelitopol/999", "http://pravda-jp.com/world/2024/05/02/12350.html"},
			Template: TemplateNetwork,
		},
		published: "2024-05-02T00:00:00+03:00",
		warnings: []string{
			"canonical: missing",
			"title: no h1; from og:title",
			`published: unreadable datetime "yesterday"`,
			"published: no readable time; date from the URL",
			"source: span.source-link has no data-source-url",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.page.file, func(t *testing.T) {
			got, err := Page(tt.page.read(t), tt.page.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Published.Format(time.RFC3339) != tt.published {
				t.Errorf("published = %s, want %s", got.Published.Format(time.RFC3339), tt.published)
			}
			if !got.Published.Equal(mustTime(t, tt.published)) {
				t.Errorf("published instant = %v", got.Published)
			}
			sum := sha256.Sum256([]byte(tt.want.Title + "\n\n" + tt.want.Text))
			if got.BodyHash != hex.EncodeToString(sum[:]) {
				t.Errorf("body_hash = %s, want sha256(title, text)", got.BodyHash)
			}
			if len(got.Warnings) != len(tt.warnings) {
				t.Errorf("warnings = %q, want %d: %q", got.Warnings, len(tt.warnings), tt.warnings)
			} else {
				for i, w := range tt.warnings {
					if !strings.Contains(got.Warnings[i], w) {
						t.Errorf("warning %d = %q, want it to say %q", i, got.Warnings[i], w)
					}
				}
			}
			cmp := *got
			cmp.Published, cmp.BodyHash, cmp.Warnings = time.Time{}, "", nil
			if !reflect.DeepEqual(cmp, tt.want) {
				diffFields(t, cmp, tt.want)
			}
		})
	}
}

// diffFields reports the fields of two articles that differ.
func diffFields(t *testing.T, got, want Article) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got  %#v\n want %#v", gv.Type().Field(i).Name, g, w)
		}
	}
}

// An AMP copy and a legacy-host fetch are the same article and the same version.
func TestAMPIsSameVersion(t *testing.T) {
	reg, amp := mustPage(t, japanPage), mustPage(t, japanAMP)
	if reg.BodyHash != amp.BodyHash {
		t.Errorf("body_hash differs between the page and its AMP copy:\n%q\n%q", reg.Text, amp.Text)
	}
	if reg.Site != amp.Site || reg.ID != amp.ID || reg.CanonicalURL != amp.CanonicalURL {
		t.Errorf("identity differs: %s:%d %s vs %s:%d %s", reg.Site, reg.ID, reg.CanonicalURL, amp.Site, amp.ID, amp.CanonicalURL)
	}
	if reg.AMP || !amp.AMP {
		t.Errorf("amp flags = %v, %v", reg.AMP, amp.AMP)
	}
	// A changed body is a new version.
	edited := strings.Replace(string(japanPage.read(t)), "企業12社", "企業13社", 1)
	ed, err := Page([]byte(edited), japanPage.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ed.BodyHash == reg.BodyHash {
		t.Error("an edited body kept its body_hash")
	}
}

func mustPage(t *testing.T, f fixture) *Article {
	t.Helper()
	a, err := Page(f.read(t), f.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The canonical link wins over the URL the page came from, and a disagreement is reported.
func TestCanonicalDisagreement(t *testing.T) {
	a, err := Page(japanPage.read(t), "https://japan.news-pravda.com/world/2024/05/01/99999.html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 12345 {
		t.Errorf("id = %d, want the canonical's 12345", a.ID)
	}
	if len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "different articles") {
		t.Errorf("warnings = %q", a.Warnings)
	}
	// Off the network entirely: keep the page's own URLs, say so.
	a, err = Page([]byte(`<html><body><article><h1>T</h1><div class="article__text"><p>x</p></div></article>`), "https://example.org/a", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Site != "" || a.ID != 0 || a.CanonicalURL != "https://example.org/a" {
		t.Errorf("off-network identity = %q %d %q", a.Site, a.ID, a.CanonicalURL)
	}
	if !hasWarning(a, "identity:") {
		t.Errorf("warnings = %q", a.Warnings)
	}
}

func hasWarning(a *Article, sub string) bool {
	for _, w := range a.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}
