// Package eval measures the trace stage against ground truth: the simulator's truth file
// (`pravda sim --truth`, one JSON object per article) against what the catalog concluded.
//
// It reports precision and recall of the origin kind and of the origin's identity (the
// root URL, the Telegram channel and post, the outlet), for credited articles and for
// uncredited ones (whose origin can only be inferred from their story) apart, and the
// pairwise precision, recall and F1 of story grouping: over every pair of articles, are
// they in one story in the truth, and in the catalog?
//
// The truth is read with this package's own struct, so that nothing outside tests depends
// on the simulator.
package eval
