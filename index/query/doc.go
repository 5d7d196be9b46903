// Package query parses a researcher's search string and turns it into a bleve query over
// the archive's per-language fields.
//
// The language is small and forgiving of plain text:
//
//	sanctions санкции                 both terms (implicit AND)
//	"foreign ministry"                a phrase
//	nato OR otan                      either
//	NOT ukraine, -ukraine             without
//	+nato                             required (the default; accepted for habit's sake)
//	(nato OR otan) -ukraine           grouping
//	site:japan lang:ja origin:telegram_post outlet:tass channel:rusembjp category:world
//	title:"state visit" body:gas      text in titles or bodies only
//
// Precedence is NOT over AND over OR. AND, OR and NOT are operators only in capitals;
// lower-case "and" is a word. A word whose prefix before ':' is not a field name is
// searched as text if the prefix is not a plain name (10:30, https://…); a plain unknown
// name (sit:japan) is an error, so typos do not silently match nothing.
//
// Every free-text term or phrase is analysed once per language with that language's
// analyzer and matched as a phrase of the resulting tokens against title_L and body_L.
// The whole expression is evaluated per language and restricted to documents of that
// language, so a stop word in one language cannot empty an AND in another.
package query
