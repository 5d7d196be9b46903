package origin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTelegramFeed(t *testing.T) {
	feed := readFile(t, "tme-s-rusembjp.html")
	tests := []struct {
		url  string
		want TelegramPost
	}{{
		// A forwarded post with an emoji, line breaks, a link and hashtags.
		url: "https://t.me/s/rusembjp/1234",
		want: TelegramPost{
			Channel: "rusembjp", Post: 1234, Author: "Посольство России в Японии",
			Text: "🇷🇺 Брифинг официального представителя МИД России М.В.Захаровой\n\n" +
				"О новых санкциях Японии\n" +
				"Токио продолжает курс на разрушение российско-японских отношений. Ответ будет соразмерным.\n\n" +
				"#Япония #санкции",
			Time:          time.Date(2024, 5, 1, 7, 0, 0, 0, time.UTC),
			ForwardedFrom: "https://t.me/MID_Russia/5678", ForwardedChannel: "MID_Russia", ForwardedPost: 5678,
			ForwardedName: "МИД России",
		},
	}, {
		// A reply: the quoted message's text is not this post's text. Channel case in the
		// URL does not matter.
		url: "https://t.me/s/RusEmbJP/1233?before=1240",
		want: TelegramPost{
			Channel: "rusembjp", Post: 1233, Author: "Посольство России в Японии",
			Text: "Фотографии со встречи.", Time: time.Date(2024, 4, 30, 6, 30, 0, 0, time.UTC),
		},
	}, {
		// Forwarded from a hidden user: a name, no link. Japanese text keeps its ideographic space inside.
		url: "https://t.me/rusembjp/1235",
		want: TelegramPost{
			Channel: "rusembjp", Post: 1235, Author: "Посольство России в Японии",
			Text:          "在日ロシア大使館\u3000からのお知らせ。\n領事部は5月3日から6日まで休館します。",
			Time:          time.Date(2024, 5, 1, 9, 45, 0, 0, time.UTC),
			ForwardedName: "Скрытый пользователь",
		},
	}}
	for _, tt := range tests {
		got, err := ParseTelegram(feed, tt.url)
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		if !got.Time.Equal(tt.want.Time) {
			t.Errorf("%s: time %v, want %v", tt.url, got.Time, tt.want.Time)
		}
		got.Time = tt.want.Time
		if *got != tt.want {
			t.Errorf("%s:\n got  %+v\n want %+v", tt.url, *got, tt.want)
		}
	}
}

// The t.me/CH/POST page carries only the text; an unknown post and a non-post URL fail.
func TestParseTelegramOther(t *testing.T) {
	p, err := ParseTelegram(readFile(t, "tme-post.html"), "https://t.me/rusembjp/1234")
	if err != nil {
		t.Fatal(err)
	}
	if p.Channel != "rusembjp" || p.Post != 1234 || p.Author != "Посольство России в Японии" || !p.Time.IsZero() ||
		!strings.HasPrefix(p.Text, "🇷🇺 Брифинг") || !strings.Contains(p.Text, "\n\nО новых санкциях Японии\nТокио") {
		t.Errorf("post page: %+v", p)
	}
	// The same small page asked for another post, and the channel page: not that post.
	for _, c := range []struct{ file, url string }{
		{"tme-post.html", "https://t.me/rusembjp/1299"},
		{"tme-channel.html", "https://t.me/rusembjp/1234"},
		{"tme-s-rusembjp.html", "https://t.me/s/rusembjp/9999"},
		{"tme-s-rusembjp.html", "https://t.me/s/MID_Russia/1234"},
	} {
		if _, err := ParseTelegram(readFile(t, c.file), c.url); !errors.Is(err, ErrPostNotFound) {
			t.Errorf("%s %s: err = %v, want ErrPostNotFound", c.file, c.url, err)
		}
	}
	for _, u := range []string{"https://t.me/s/rusembjp", "https://t.me/c/123/45", "https://tass.ru/x/1", "", "https://t.me/joinchat/x"} {
		if _, err := ParseTelegram(readFile(t, "tme-s-rusembjp.html"), u); !errors.Is(err, ErrNotPost) {
			t.Errorf("%q: err = %v, want ErrNotPost", u, err)
		}
	}
	big := make([]byte, MaxTelegramSize+1)
	if _, err := ParseTelegram(big, "https://t.me/s/rusembjp/1234"); err == nil {
		t.Error("oversize page accepted")
	}
}

func FuzzParseTelegram(f *testing.F) {
	for _, name := range []string{"tme-s-rusembjp.html", "tme-post.html", "tme-channel.html"} {
		b := readFile(f, name)
		f.Add(b, "https://t.me/s/rusembjp/1234")
		f.Add(b, "https://t.me/rusembjp/1233")
	}
	f.Add([]byte(`<div class="tgme_widget_message" data-post="a/1"><div class="tgme_widget_message_text">x</div></div>`), "https://t.me/s/abcde/1")
	f.Fuzz(func(t *testing.T, data []byte, pageURL string) {
		p, err := ParseTelegram(data, pageURL)
		if err != nil {
			if p != nil {
				t.Fatal("both a post and an error")
			}
			return
		}
		o := Classify(nil, pageURL, "")
		if o.Kind != KindTelegramPost || p.Post != o.Post || !strings.EqualFold(p.Channel, o.Channel) {
			t.Fatalf("post %s/%d from page URL %q", p.Channel, p.Post, pageURL)
		}
		if len(p.Text) > maxPostText+4096 {
			t.Fatalf("text of %d bytes", len(p.Text))
		}
	})
}
