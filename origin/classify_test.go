package origin

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/pravda-archive/pravda/seeds"
)

func TestClassifyURL(t *testing.T) {
	tests := []struct {
		url  string
		want Origin
	}{
		// Telegram posts, in every shape the credits use.
		{"https://t.me/InfoDefenceFRANCE/12345", Origin{Kind: KindTelegramPost, URL: "https://t.me/InfoDefenceFRANCE/12345", Channel: "InfoDefenceFRANCE", Post: 12345, Platform: "telegram"}},
		{"https://t.me/infodefencefrance/12345", Origin{Kind: KindTelegramPost, URL: "https://t.me/InfoDefenceFRANCE/12345", Channel: "InfoDefenceFRANCE", Post: 12345, Platform: "telegram"}},
		{"https://t.me/s/PR0RU_BY/4567", Origin{Kind: KindTelegramPost, URL: "https://t.me/PR0RU_BY/4567", Channel: "PR0RU_BY", Post: 4567, Platform: "telegram"}},
		{"http://telegram.me/NowMelitopol/99?single", Origin{Kind: KindTelegramPost, URL: "https://t.me/NowMelitopol/99", Channel: "NowMelitopol", Post: 99, Platform: "telegram"}},
		{"  HTTPS://WWW.T.ME/rusembjp/1234/?utm_source=x#top ", Origin{Kind: KindTelegramPost, URL: "https://t.me/rusembjp/1234", Channel: "rusembjp", Post: 1234, Platform: "telegram", Owner: "Russian Ministry of Foreign Affairs"}},
		{"t.me/MID_Russia/5678", Origin{Kind: KindTelegramPost, URL: "https://t.me/MID_Russia/5678", Channel: "MID_Russia", Post: 5678, Platform: "telegram", Owner: "Russian Ministry of Foreign Affairs"}},
		{"https://telegram.dog/rybar/60001?comment=5", Origin{Kind: KindTelegramPost, URL: "https://t.me/rybar/60001", Channel: "rybar", Post: 60001, Platform: "telegram"}},
		{"https://t.me/SomeForum/12/345", Origin{Kind: KindTelegramPost, URL: "https://t.me/SomeForum/345", Channel: "SomeForum", Post: 345, Platform: "telegram"}},
		{"https://rusembjp.t.me/1234", Origin{Kind: KindTelegramPost, URL: "https://t.me/rusembjp/1234", Channel: "rusembjp", Post: 1234, Platform: "telegram", Owner: "Russian Ministry of Foreign Affairs"}},
		{"tg://resolve?domain=readovkanews&post=777", Origin{Kind: KindTelegramPost, URL: "https://t.me/readovkanews/777", Channel: "readovkanews", Post: 777, Platform: "telegram"}},
		// A private channel's post: no name to resolve.
		{"https://t.me/c/1234567890/4321", Origin{Kind: KindTelegramPost, URL: "https://t.me/c/1234567890/4321", Post: 4321, Platform: "telegram"}},
		// Channels.
		{"https://t.me/InfoDefenceFRANCE", Origin{Kind: KindTelegramChannel, URL: "https://t.me/InfoDefenceFRANCE", Channel: "InfoDefenceFRANCE", Platform: "telegram"}},
		{"https://t.me/s/UnknownChannel_1/", Origin{Kind: KindTelegramChannel, URL: "https://t.me/UnknownChannel_1", Channel: "UnknownChannel_1", Platform: "telegram"}},
		// t.me links that are not channels.
		{"https://t.me/joinchat/AAAAAEd3x_Qq", Origin{Kind: KindSocial, URL: "https://t.me/joinchat/AAAAAEd3x_Qq", Platform: "telegram"}},
		{"https://t.me/+AbCdEf123456", Origin{Kind: KindSocial, URL: "https://t.me/+AbCdEf123456", Platform: "telegram"}},
		{"https://t.me/addstickers/Pack", Origin{Kind: KindSocial, URL: "https://t.me/addstickers/Pack", Platform: "telegram"}},
		{"https://t.me/share/url?url=https://tass.ru/x", Origin{Kind: KindSocial, URL: "https://t.me/share/url?url=https%3A%2F%2Ftass.ru%2Fx", Platform: "telegram"}},
		{"https://t.me/", Origin{Kind: KindSocial, URL: "https://t.me/", Platform: "telegram"}},
		// State outlets and official sites, with owners.
		{"https://tass.ru/politika/20712345", Origin{Kind: KindStateMedia, URL: "https://tass.ru/politika/20712345", Outlet: "tass", Owner: "Russian federal government (FSUE)"}},
		{"https://www.tass.com/world/1780000?utm_medium=tg", Origin{Kind: KindStateMedia, URL: "https://tass.com/world/1780000", Outlet: "tass", Owner: "Russian federal government (FSUE)"}},
		{"https://ria.ru/20240501/zakharova-1942345678.html", Origin{Kind: KindStateMedia, URL: "https://ria.ru/20240501/zakharova-1942345678.html", Outlet: "ria", Owner: "Rossiya Segodnya (state)"}},
		{"https://fr.sputniknews.africa/20240501/x-1066000000.html", Origin{Kind: KindStateMedia, URL: "https://fr.sputniknews.africa/20240501/x-1066000000.html", Outlet: "sputnik", Owner: "Rossiya Segodnya (state)"}},
		{"https://sputnikglobe.com/20240501/y-1118000000.html", Origin{Kind: KindStateMedia, URL: "https://sputnikglobe.com/20240501/y-1118000000.html", Outlet: "sputnik", Owner: "Rossiya Segodnya (state)"}},
		{"https://news-front.info/2024/05/01/slug/", Origin{Kind: KindStateMedia, URL: "https://news-front.info/2024/05/01/slug/", Outlet: "newsfront", Owner: "News Front (Crimea; linked to Russian security services per US Treasury)"}},
		{"https://tsargrad.tv/news/slug_987654", Origin{Kind: KindStateMedia, URL: "https://tsargrad.tv/news/slug_987654", Outlet: "tsargrad", Owner: "Konstantin Malofeyev"}},
		{"https://www.rt.com/russia/598765-slug/", Origin{Kind: KindStateMedia, URL: "https://rt.com/russia/598765-slug/", Outlet: "rt", Owner: "ANO TV-Novosti (state-funded)"}},
		{"https://mid.ru/ru/foreign_policy/news/1946000/", Origin{Kind: KindStateMedia, URL: "https://mid.ru/ru/foreign_policy/news/1946000/", Outlet: "mid", Owner: "Government of the Russian Federation"}},
		{"https://tokyo.mid.ru/ru/press/", Origin{Kind: KindStateMedia, URL: "https://tokyo.mid.ru/ru/press/", Outlet: "rusembjp", Owner: "Russian Ministry of Foreign Affairs"}},
		// Social platforms.
		{"https://vk.com/wall-123_456", Origin{Kind: KindSocial, URL: "https://vk.com/wall-123_456", Platform: "vk"}},
		{"https://m.vk.com/wall-123_456", Origin{Kind: KindSocial, URL: "https://m.vk.com/wall-123_456", Platform: "vk"}},
		{"https://ok.ru/group/123/topic/456", Origin{Kind: KindSocial, URL: "https://ok.ru/group/123/topic/456", Platform: "ok"}},
		{"https://dzen.ru/a/ZjHq", Origin{Kind: KindSocial, URL: "https://dzen.ru/a/ZjHq", Platform: "dzen"}},
		{"https://max.ru/channel/1", Origin{Kind: KindSocial, URL: "https://max.ru/channel/1", Platform: "max"}},
		{"https://telegra.ph/Statement-05-01", Origin{Kind: KindSocial, URL: "https://telegra.ph/Statement-05-01", Platform: "telegraph"}},
		// Other network pages: a chain. Aliases and AMP copies resolve to the canonical article.
		{"https://news-pravda.com/world/2024/05/01/998877.html", Origin{Kind: KindNetwork, URL: "https://news-pravda.com/world/2024/05/01/998877.html", Site: "hub", ID: 998877, Key: "hub:998877"}},
		{"https://pravda-jp.com/world/2024/03/30/1234.html", Origin{Kind: KindNetwork, URL: "https://japan.news-pravda.com/world/2024/03/30/1234.html", Site: "japan", ID: 1234, Key: "japan:1234"}},
		{"https://japan.news-pravda.com/world/2024/05/01/12345-amp.html", Origin{Kind: KindNetwork, URL: "https://japan.news-pravda.com/world/2024/05/01/12345.html", Site: "japan", ID: 12345, Key: "japan:12345"}},
		{"https://canada.news-pravda.com/fr/monde/2024/05/01/4321.html", Origin{Kind: KindNetwork, URL: "https://canada.news-pravda.com/fr/monde/2024/05/01/4321.html", Site: "canada/fr", ID: 4321, Key: "canada/fr:4321"}},
		{"https://fr.news-pravda.com/monde/2024/05/01/55555.html", Origin{Kind: KindNetwork, URL: "https://francais.news-pravda.com/monde/2024/05/01/55555.html", Site: "francais", ID: 55555, Key: "francais:55555"}},
		{"https://japan.news-pravda.com/world/", Origin{Kind: KindNetwork, URL: "https://japan.news-pravda.com/world/", Site: "japan"}},
		{"http://kazan-news.net/society/2014/05/04/23059.html", Origin{Kind: KindNetwork, URL: "https://kazan-news.net/society/2014/05/04/23059.html", Site: "kazan-news.net", ID: 23059, Key: "kazan-news.net:23059"}},
		// Anything else on the web.
		{"https://example.org/a?b=1&utm_campaign=x", Origin{Kind: KindWeb, URL: "https://example.org/a?b=1"}},
		{"https://pravda.ru/news/1", Origin{Kind: KindWeb, URL: "https://pravda.ru/news/1"}},
		{"//example.org/x", Origin{Kind: KindWeb, URL: "https://example.org/x"}},
		// Nothing usable.
		{"", Origin{Kind: KindNone}},
		{"   ", Origin{Kind: KindNone}},
		{"javascript:alert(1)", Origin{Kind: KindNone}},
		{"ftp://example.org/x", Origin{Kind: KindNone}},
		{"not a url", Origin{Kind: KindNone}},
		{"/relative/path", Origin{Kind: KindNone}},
		{"https://", Origin{Kind: KindNone}},
		{"http://%zz/", Origin{Kind: KindNone}},
	}
	for _, tt := range tests {
		if got := Classify(nil, tt.url, ""); got != tt.want {
			t.Errorf("Classify(%q)\n got  %+v\n want %+v", tt.url, got, tt.want)
		}
	}
}

func TestClassifyTitle(t *testing.T) {
	tests := []struct {
		title string
		want  Origin
	}{
		{`Telegram "rusembjp"`, Origin{Kind: KindTelegramChannel, URL: "https://t.me/rusembjp", Channel: "rusembjp", Platform: "telegram", Owner: "Russian Ministry of Foreign Affairs"}},
		{`Telegram "infodefencefrance"`, Origin{Kind: KindTelegramChannel, URL: "https://t.me/InfoDefenceFRANCE", Channel: "InfoDefenceFRANCE", Platform: "telegram"}},
		{`  telegram   «@NowMelitopol» `, Origin{Kind: KindTelegramChannel, URL: "https://t.me/NowMelitopol", Channel: "NowMelitopol", Platform: "telegram"}},
		{`Telegram-канал "Мелитополь сейчас"`, Origin{Kind: KindTelegramChannel, URL: "https://t.me/NowMelitopol", Channel: "NowMelitopol", Platform: "telegram"}},
		{`Telegram "Какой-то канал"`, Origin{Kind: KindTelegramChannel, Channel: "Какой-то канал", Platform: "telegram"}},
		{`@rybar`, Origin{Kind: KindTelegramChannel, URL: "https://t.me/rybar", Channel: "rybar", Platform: "telegram"}},
		{"ТАСС", Origin{Kind: KindStateMedia, Outlet: "tass", Owner: "Russian federal government (FSUE)"}},
		{"TASS", Origin{Kind: KindStateMedia, Outlet: "tass", Owner: "Russian federal government (FSUE)"}},
		{"РИА Новости", Origin{Kind: KindStateMedia, Outlet: "ria", Owner: "Rossiya Segodnya (state)"}},
		{"РИА Новости Крым", Origin{Kind: KindStateMedia, Outlet: "ria", Owner: "Rossiya Segodnya (state)"}},
		{"RT", Origin{Kind: KindStateMedia, Outlet: "rt", Owner: "ANO TV-Novosti (state-funded)"}},
		{"RT на русском", Origin{Kind: KindStateMedia, Outlet: "rt", Owner: "ANO TV-Novosti (state-funded)"}},
		{"Sputnik Japan", Origin{Kind: KindStateMedia, Outlet: "sputnik", Owner: "Rossiya Segodnya (state)"}},
		{"«Известия»", Origin{Kind: KindStateMedia, Outlet: "izvestia", Owner: "National Media Group"}},
		{"Царьград", Origin{Kind: KindStateMedia, Outlet: "tsargrad", Owner: "Konstantin Malofeyev"}},
		{"МИД России", Origin{Kind: KindStateMedia, Outlet: "mid", Owner: "Government of the Russian Federation"}},
		{"tass.ru", Origin{Kind: KindStateMedia, Outlet: "tass", Owner: "Russian federal government (FSUE)"}},
		{"ВКонтакте", Origin{Kind: KindSocial, Platform: "vk"}},
		{"Pravda EN", Origin{Kind: KindNetwork, Site: "hub"}},
		{"Pravda Nihon", Origin{Kind: KindNetwork, Site: "japan"}},
		{"example.org", Origin{Kind: KindWeb, URL: "https://example.org"}},
		{"Some blogger", Origin{Kind: KindNone}},
		{"RTL", Origin{Kind: KindNone}}, // a word prefix, not a letter prefix
		{"", Origin{Kind: KindNone}},
	}
	for _, tt := range tests {
		if got := Classify(nil, "", tt.title); got != tt.want {
			t.Errorf("Classify(title %q)\n got  %+v\n want %+v", tt.title, got, tt.want)
		}
	}
	// The URL decides when there is one; the title fills in only when it is unusable.
	if got := Classify(nil, "https://t.me/rybar/1", "ТАСС"); got.Kind != KindTelegramPost {
		t.Errorf("URL did not win over the title: %+v", got)
	}
	if got := Classify(nil, "not a url", "ТАСС"); got.Kind != KindStateMedia {
		t.Errorf("unusable URL did not fall back to the title: %+v", got)
	}
}

// Every real network URL cited on Wikipedia (CheckFirst's dataset) that follows the
// article grammar classifies as a network article with its id.
func TestClassifyRealNetworkURLs(t *testing.T) {
	f, err := os.Open("../seeds/testdata/wikipedia_results.csv")
	if err != nil {
		t.Skipf("dataset not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	reg := seeds.Default()
	articles, hosts := 0, 0
	for _, row := range rows[1:] {
		u := row[2]
		_, a, err := reg.Article(u)
		o := Classify(reg, u, "")
		switch {
		case err == nil:
			articles++
			if o.Kind != KindNetwork || o.ID != a.ID || o.Key != a.Key() {
				t.Errorf("%s: %+v", u, o)
			}
		case o.Kind == KindNetwork:
			hosts++
			if o.ID != 0 || o.Key != "" {
				t.Errorf("%s: non-article with id: %+v", u, o)
			}
		default:
			if o.Kind != KindWeb {
				t.Errorf("%s: %+v", u, o)
			}
		}
	}
	if articles < 1700 {
		t.Errorf("only %d article URLs classified", articles)
	}
	t.Logf("%d network articles, %d other network pages, of %d rows", articles, hosts, len(rows)-1)
}

// FuzzClassify: no panic, a valid kind with the fields it promises, and a normalised URL
// that classifies to the same origin again.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"https://t.me/InfoDefenceFRANCE/12345", "t.me/s/PR0RU_BY/1", "https://t.me/c/1/2",
		"https://tass.ru/politika/1", "https://pravda-jp.com/world/2024/03/30/1234.html", "https://vk.com/x",
		"tg://resolve?domain=abcd&post=1", "https://t.me/+x", "//x.y", "https://t.me/a/b/c/d/9"} {
		f.Add(s, "")
	}
	for _, s := range []string{`Telegram "rusembjp"`, "РИА Новости", "Pravda EN", "@rybar", "tass.ru", "Telegram-канал «X»"} {
		f.Add("", s)
	}
	reg := seeds.Default()
	valid := map[Kind]bool{KindTelegramPost: true, KindTelegramChannel: true, KindStateMedia: true, KindSocial: true,
		KindNetwork: true, KindWeb: true, KindNone: true}
	f.Fuzz(func(t *testing.T, rawURL, title string) {
		o := Classify(reg, rawURL, title)
		if !valid[o.Kind] {
			t.Fatalf("kind %q", o.Kind)
		}
		if o != Classify(reg, rawURL, title) {
			t.Fatal("not deterministic")
		}
		switch o.Kind {
		case KindTelegramPost:
			if o.Post <= 0 {
				t.Fatalf("post without id: %+v", o)
			}
		case KindTelegramChannel:
			if o.Channel == "" || o.Post != 0 {
				t.Fatalf("bad channel: %+v", o)
			}
		case KindStateMedia:
			if o.Outlet == "" {
				t.Fatalf("state media without outlet: %+v", o)
			}
		case KindNetwork:
			if o.Site == "" || (o.ID > 0) != (o.Key != "") {
				t.Fatalf("bad network origin: %+v", o)
			}
			if o.ID > 0 {
				if site, id, err := seeds.ParseKey(o.Key); err != nil || site != o.Site || id != o.ID {
					t.Fatalf("key %q for %s:%d", o.Key, o.Site, o.ID)
				}
			}
		case KindNone:
			if o != (Origin{Kind: KindNone}) {
				t.Fatalf("none with fields: %+v", o)
			}
		}
		if o.URL != "" {
			again := Classify(reg, o.URL, "")
			if again.Kind != o.Kind || again.Channel != o.Channel || again.Post != o.Post ||
				again.Site != o.Site || again.ID != o.ID || again.Outlet != o.Outlet || again.URL != o.URL {
				t.Fatalf("not idempotent:\n%+v\n%+v", o, again)
			}
		}
	})
}
