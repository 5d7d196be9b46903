package sim

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Telegram's public web views, as template.md describes them: /s/{channel}/{post} shows the
// channel's feed around the post, /{channel}/{post} a small page whose og:description is
// the text.

var (
	tgFeed    = regexp.MustCompile(`^/s/([A-Za-z][A-Za-z0-9_]{2,63})/?$`)
	tgFeedAt  = regexp.MustCompile(`^/s/([A-Za-z][A-Za-z0-9_]{2,63})/(\d{1,12})/?$`)
	tgPost    = regexp.MustCompile(`^/([A-Za-z][A-Za-z0-9_]{2,63})/(\d{1,12})/?$`)
	tgChannel = regexp.MustCompile(`^/([A-Za-z][A-Za-z0-9_]{2,63})/?$`)
)

// tgReserved are t.me paths that are not channels.
var tgReserved = map[string]bool{"share": true, "joinchat": true, "addstickers": true, "addemoji": true,
	"proxy": true, "socks": true, "login": true, "iv": true, "c": true, "s": true, "setlanguage": true}

const feedSize = 20

func (x *exchange) serveTelegram() {
	path := x.r.URL.Path
	if path == "/robots.txt" {
		x.send(http.StatusOK, "text/plain; charset=utf-8", []byte("User-agent: *\nAllow: /\n"))
		return
	}
	n := x.n
	n.mu.RLock()
	defer n.mu.RUnlock()
	var ch *channel
	var id int64
	var feed, single bool
	for _, m := range [][]string{tgFeedAt.FindStringSubmatch(path), tgFeed.FindStringSubmatch(path)} {
		if m != nil {
			ch, feed = n.w.chanByName[strings.ToLower(m[1])], true
			if len(m) > 2 {
				id, _ = strconv.ParseInt(m[2], 10, 64)
			}
			break
		}
	}
	if !feed {
		if m := tgPost.FindStringSubmatch(path); m != nil && !tgReserved[strings.ToLower(m[1])] {
			ch, single = n.w.chanByName[strings.ToLower(m[1])], true
			id, _ = strconv.ParseInt(m[2], 10, 64)
		} else if m := tgChannel.FindStringSubmatch(path); m != nil && !tgReserved[strings.ToLower(m[1])] {
			ch, single = n.w.chanByName[strings.ToLower(m[1])], true
		}
	}
	if ch == nil {
		x.send(http.StatusNotFound, "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Telegram</title></head><body><div class=\"tgme_page\">Sorry, this page doesn't exist.</div></body></html>\n"))
		return
	}
	if single {
		x.send(http.StatusOK, "text/html; charset=utf-8", n.w.tgPostPage(ch, id, x.now))
		return
	}
	var before int64
	if b, err := strconv.ParseInt(x.r.URL.Query().Get("before"), 10, 64); err == nil && id == 0 {
		before = b
	}
	x.send(http.StatusOK, "text/html; charset=utf-8", n.w.tgFeedPage(ch, id, before, x.now))
}

func (ch *channel) visible(now time.Time) []*post {
	i := len(ch.posts)
	for i > 0 && ch.posts[i-1].time.After(now) {
		i--
	}
	return ch.posts[:i]
}

// tgFeedPage shows the feed around post at (five before, five after), or the feed older
// than before, or the newest posts.
func (w *world) tgFeedPage(ch *channel, at, before int64, now time.Time) []byte {
	posts := ch.visible(now)
	var show []*post
	switch {
	case at > 0:
		i := sort.Search(len(posts), func(i int) bool { return posts[i].id >= at })
		show = posts[max(0, i-5):min(len(posts), i+6)]
	case before > 0:
		i := sort.Search(len(posts), func(i int) bool { return posts[i].id >= before })
		show = posts[max(0, i-feedSize):i]
	default:
		show = posts[max(0, len(posts)-feedSize):]
	}
	canonical := "https://t.me/s/" + ch.name
	if at > 0 {
		canonical += "/" + strconv.FormatInt(at, 10)
	}
	var sb strings.Builder
	sb.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(ch.title) + " – Telegram</title>\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n" +
		"<meta property=\"og:title\" content=\"" + esc(ch.title) + "\">\n" +
		"<meta property=\"og:url\" content=\"https://t.me/s/" + ch.name + "\">\n" +
		"<meta property=\"og:site_name\" content=\"Telegram\">\n" +
		"<link rel=\"canonical\" href=\"" + canonical + "\">\n</head>\n" +
		"<body class=\"widget_frame_base tgme_webpreview_body\">\n" +
		"<header class=\"tgme_header\"><div class=\"tgme_header_title\"><span dir=\"auto\">" + esc(ch.title) + "</span></div>" +
		"<a class=\"tgme_header_link\" href=\"https://t.me/" + ch.name + "\">@" + ch.name + "</a></header>\n" +
		"<main class=\"tgme_main\">\n<section class=\"tgme_channel_history js-message_history\">\n")
	if len(show) > 0 && show[0] != posts[0] {
		sb.WriteString("<a class=\"tme_messages_more js-messages_more\" data-before=\"" + strconv.FormatInt(show[0].id, 10) +
			"\" href=\"/s/" + ch.name + "?before=" + strconv.FormatInt(show[0].id, 10) + "\"></a>\n")
	}
	for _, p := range show {
		w.writeMessage(&sb, p)
	}
	sb.WriteString("</section>\n</main>\n</body>\n</html>\n")
	return []byte(sb.String())
}

func (w *world) postText(p *post) body {
	src := p
	if p.fwd != nil {
		src = p.fwd
	}
	return src.story.compose(src.lang, false)
}

func (w *world) writeMessage(sb *strings.Builder, p *post) {
	ref := p.ch.name + "/" + strconv.FormatInt(p.id, 10)
	b := w.postText(p)
	sb.WriteString("<div class=\"tgme_widget_message_wrap js-widget_message_wrap\">\n" +
		" <div class=\"tgme_widget_message text_not_supported_wrap js-widget_message\" data-post=\"" + ref + "\">\n" +
		"  <div class=\"tgme_widget_message_bubble\">\n" +
		"   <div class=\"tgme_widget_message_author accent_color\"><a class=\"tgme_widget_message_owner_name\" href=\"https://t.me/" + p.ch.name + "\"><span dir=\"auto\">" + esc(p.ch.title) + "</span></a></div>\n")
	if f := p.fwd; f != nil {
		sb.WriteString("   <div class=\"tgme_widget_message_forwarded_from accent_color\">Forwarded from <a class=\"tgme_widget_message_forwarded_from_name\" href=\"" +
			postURL(f) + "\"><span dir=\"auto\">" + esc(f.ch.title) + "</span></a></div>\n")
	}
	sb.WriteString("   <div class=\"tgme_widget_message_text js-message_text\" dir=\"auto\">" + esc(p.story.emoji) + " <b>" + esc(b.title) + "</b>")
	for _, para := range b.paras {
		sb.WriteString("<br/><br/>" + esc(para))
	}
	sb.WriteString("</div>\n" +
		"   <div class=\"tgme_widget_message_footer\"><div class=\"tgme_widget_message_info\"><span class=\"tgme_widget_message_views\">" + views(p.views) + "</span>\n" +
		"     <a class=\"tgme_widget_message_date\" href=\"https://t.me/" + ref + "\"><time datetime=\"" + p.time.UTC().Format("2006-01-02T15:04:05-07:00") + "\" class=\"time\">" +
		p.time.UTC().Format("15:04") + "</time></a></div></div>\n" +
		"  </div>\n </div>\n</div>\n")
}

func views(v int) string {
	switch {
	case v < 1000:
		return strconv.Itoa(v)
	case v < 1_000_000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(v)/1000), ".0") + "K"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(v)/1e6), ".0") + "M"
}

// tgPostPage is t.me/{channel}/{post} (or t.me/{channel} when id is 0): a small page whose
// og:description is the post's text, linking to the /s/ view.
func (w *world) tgPostPage(ch *channel, id int64, now time.Time) []byte {
	desc := ch.title
	view := "/s/" + ch.name
	if p := ch.byID[id]; p != nil && !p.time.After(now) {
		b := w.postText(p)
		desc = p.story.emoji + " " + b.title + "\n\n" + b.plain()
		view += "/" + strconv.FormatInt(id, 10)
	}
	return []byte("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Telegram: View @" + ch.name + "</title>\n" +
		"<meta property=\"og:title\" content=\"" + esc(ch.title) + "\">\n" +
		"<meta property=\"og:site_name\" content=\"Telegram\">\n" +
		"<meta property=\"og:description\" content=\"" + esc(desc) + "\">\n" +
		"<meta property=\"twitter:description\" content=\"" + esc(desc) + "\">\n</head>\n" +
		"<body class=\"tgme_page_body\">\n<div class=\"tgme_page\">\n" +
		"<div class=\"tgme_page_title\"><span dir=\"auto\">" + esc(ch.title) + "</span></div>\n" +
		"<div class=\"tgme_page_extra\">@" + ch.name + "</div>\n" +
		"<div class=\"tgme_page_action\"><a class=\"tgme_action_button_new\" href=\"tg://resolve?domain=" + ch.name + "\">View in Telegram</a></div>\n" +
		"<div class=\"tgme_page_context_link_wrap\"><a class=\"tgme_page_context_link\" href=\"" + view + "\">Preview channel</a></div>\n" +
		"</div>\n</body>\n</html>\n")
}
