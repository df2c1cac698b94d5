// Package evaluate measures the production scorers and taggers on labelled
// dev data and prints markdown tables: it is the body of "socialpulse eval
// sentiment", "eval aspects", "eval nab", "eval surges" and "eval
// corrections". Every figure comes from the code the processor runs
// (sentiment.New, enrich.LoadTagger, sentiment.Adapt, detect.NewDetector);
// this package only reads the data sets, compares labels, injects surges
// and formats the results.
//
// Scope: reading the dev data sets (through internal/devdata and the SemEval
// XML readers here), the measures, the tables. Non-goals: anything the
// processor runs, and flags (cmd/socialpulse parses them into the options
// structs here).
package evaluate
