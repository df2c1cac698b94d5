// Package backtest replays history through the production spike detector:
// a timestamp,value count series ("socialpulse backtest --series") or a
// JSONL file of posts scored and tagged as the processor does
// ("socialpulse backtest --posts"). It runs detect and enrich exactly as
// the processor does, so its alerts are the ones production would raise.
//
// Scope: reading the series CSV and the posts, the replay, the JSON lines
// it writes. Non-goals: flags (cmd/socialpulse parses them into the options
// structs here) and anything the processor runs.
package backtest
