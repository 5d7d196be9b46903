// Package ja is a Japanese tokenizer for bleve built on kagome v2 and the IPA dictionary.
//
// Bleve ships only a CJK bigram analyzer, whose overlapping bigrams make 京都 match
// 東京都知事. Morphological segmentation keeps words whole, so a query matches words, not
// character pairs. The package registers the tokenizer as "kagome_ja" and an analyzer
// "ja" (kagome_ja + lowercase) with bleve's registry; import it for its side effect when a
// mapping names either.
package ja
