// Package origin says where a network article's material comes from. Classify maps the
// source credit an article carries (data-source-url and its visible name) to a kind of
// origin: a Telegram post or channel, a state outlet with its owner, a social platform,
// another network page (an origin chain to follow), or some other web page. ParseTelegram
// reads the public t.me/s/ view of a Telegram post, whose text and timestamp give the
// republication lag.
//
// Both take hostile input: they never panic and cap what they read (see FuzzClassify and
// FuzzParseTelegram).
package origin
