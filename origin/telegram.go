package origin

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// MaxTelegramSize caps the t.me pages ParseTelegram reads; a feed page is ~100 KiB.
var MaxTelegramSize = 4 << 20

var (
	// ErrNotPost is returned when the page URL does not name a public Telegram post.
	ErrNotPost = errors.New("not a public Telegram post URL")
	// ErrPostNotFound is returned when the page does not show the post its URL names (an
	// unknown or deleted post gives the channel's feed without it).
	ErrPostNotFound = errors.New("post not on the page")
)

// TelegramPost is one message read from Telegram's public web view.
type TelegramPost struct {
	Channel string    `json:"channel"` // username as the page spells it
	Post    int64     `json:"post"`
	Author  string    `json:"author"` // the channel's display name
	Text    string    `json:"text"`   // lines as the post breaks them, NFC
	Time    time.Time `json:"time"`   // zero when the page gives none (the t.me/CH/POST page)
	// ForwardedFrom is the URL of the post this one forwards (t.me/B/5678), when the
	// original is a public channel; ForwardedName is the name shown either way.
	ForwardedFrom    string `json:"forwarded_from,omitempty"`
	ForwardedChannel string `json:"forwarded_channel,omitempty"`
	ForwardedPost    int64  `json:"forwarded_post,omitempty"`
	ForwardedName    string `json:"forwarded_name,omitempty"`
}

// maxPostText caps a post's text; Telegram's own limit is 4,096 characters.
const maxPostText = 64 << 10

// ParseTelegram reads the post pageURL names from a t.me page: the feed view
// (t.me/s/CH/POST), which shows the channel's messages around that post, or the small
// t.me/CH/POST page, which gives only the text (and no time).
func ParseTelegram(data []byte, pageURL string) (*TelegramPost, error) {
	p, _, err := ParseTelegramPage(data, pageURL, 0)
	return p, err
}

// ParseTelegramPage reads the post pageURL names, as ParseTelegram does, and also every
// other message a feed page shows (up to max of them), from one parse of the page: the
// same capture proves them all, and a tracer that follows a chain through a channel asks
// for its neighbours next.
func ParseTelegramPage(data []byte, pageURL string, max int) (*TelegramPost, []*TelegramPost, error) {
	return parseTelegramPage(data, pageURL, max, true)
}

// parseTelegramPage is ParseTelegramPage, leaving the messages' text out unless withText:
// the tracer reads a post's time and forward only, and rendering the text of every
// message on a feed page was a third of the parse.
func parseTelegramPage(data []byte, pageURL string, max int, withText bool) (*TelegramPost, []*TelegramPost, error) {
	o := Classify(nil, pageURL, "")
	if o.Kind != KindTelegramPost || o.Channel == "" {
		return nil, nil, fmt.Errorf("%q: %w", clip(pageURL), ErrNotPost)
	}
	if len(data) > MaxTelegramSize {
		return nil, nil, fmt.Errorf("telegram page %s: %d bytes, cap %d", o.URL, len(data), MaxTelegramSize)
	}
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("telegram page %s: %w", o.URL, err)
	}
	doc := goquery.NewDocumentFromNode(root)
	var want *TelegramPost
	var others []*TelegramPost
	doc.Find(".tgme_widget_message[data-post]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		c, p, ok := splitDataPost(s.AttrOr("data-post", ""))
		switch {
		case !ok:
		case p == o.Post && strings.EqualFold(c, o.Channel):
			if want == nil {
				want = readMessage(s, p, withText)
			}
		case len(others) < max:
			others = append(others, readMessage(s, p, withText))
		}
		return want == nil || len(others) < max
	})
	if want == nil {
		want = readPostPage(doc, o.Channel, o.Post)
	}
	if want == nil {
		return nil, others, fmt.Errorf("telegram page %s: %w", o.URL, ErrPostNotFound)
	}
	return want, others, nil
}

func splitDataPost(v string) (string, int64, bool) {
	c, p, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok {
		return "", 0, false
	}
	n := postID(strings.TrimSpace(p))
	return strings.TrimSpace(c), n, n > 0
}

func readMessage(msg *goquery.Selection, post int64, withText bool) *TelegramPost {
	ch, _, _ := splitDataPost(msg.AttrOr("data-post", ""))
	p := &TelegramPost{Channel: ch, Post: post}
	p.Author = oneLine(msg.Find(".tgme_widget_message_owner_name").First().Text())
	if p.Author == "" {
		p.Author = oneLine(msg.Find(".tgme_widget_message_author").First().Text())
	}
	fwd := msg.Find(".tgme_widget_message_forwarded_from_name").First()
	if fwd.Length() > 0 {
		p.ForwardedName = oneLine(fwd.Text())
		if href, ok := fwd.Attr("href"); ok {
			if o := Classify(nil, href, ""); o.Kind == KindTelegramPost || o.Kind == KindTelegramChannel {
				p.ForwardedFrom, p.ForwardedChannel, p.ForwardedPost = o.URL, o.Channel, o.Post
			}
		}
	}
	// The post's own text, not that of the message it replies to, which the page quotes
	// inside .tgme_widget_message_reply with the same class.
	if withText {
		msg.Find(".tgme_widget_message_text").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if s.ParentsFiltered(".tgme_widget_message_reply").Length() > 0 {
				return true
			}
			p.Text = postText(s.Nodes[0])
			return false
		})
	}
	for _, sel := range []string{".tgme_widget_message_date time[datetime]", "time[datetime]"} {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(msg.Find(sel).First().AttrOr("datetime", ""))); err == nil {
			p.Time = t
			break
		}
	}
	return p
}

// readPostPage reads the small t.me/CH/POST page: og:description is the text, og:title
// the channel's name. It answers only when the page links to that very post's /s/ view,
// since an unknown post's page carries the channel's description in the same tags.
func readPostPage(doc *goquery.Document, ch string, post int64) *TelegramPost {
	want := strings.ToLower("/s/" + ch + "/" + strconv.FormatInt(post, 10))
	linked := false
	doc.Find("a[href]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		href := strings.ToLower(s.AttrOr("href", ""))
		if i := strings.IndexAny(href, "?#"); i >= 0 {
			href = href[:i]
		}
		linked = strings.HasSuffix(strings.TrimSuffix(href, "/"), want)
		return !linked
	})
	if !linked {
		return nil
	}
	text, ok := doc.Find(`meta[property="og:description"]`).First().Attr("content")
	if !ok {
		return nil
	}
	return &TelegramPost{
		Channel: ch,
		Post:    post,
		Author:  oneLine(doc.Find(`meta[property="og:title"]`).First().AttrOr("content", "")),
		Text:    cleanLines(text),
	}
}

// postText renders a message's text: <br> and blocks break lines, emoji images keep their
// character, everything else is its text.
func postText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 200 || b.Len() > maxPostText {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Br:
				b.WriteByte('\n')
				return
			case atom.Script, atom.Style:
				return
			case atom.Div, atom.P, atom.Blockquote, atom.Pre, atom.Li:
				defer b.WriteByte('\n')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, 1)
	}
	return cleanLines(b.String())
}

// cleanLines normalises text that keeps its line breaks: NFC, spaces folded and trimmed
// per line, no more than one blank line in a row, none at either end.
func cleanLines(s string) string {
	s = norm.NFC.String(s)
	var out []string
	blank := false
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.FieldsFunc(line, func(r rune) bool { return r != '\u3000' && unicode.IsSpace(r) }), " ")
		line = strings.TrimFunc(line, func(r rune) bool { return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' })
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }

func clip(s string) string {
	if len(s) > 200 {
		return strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
