// Package explore finds what no condition of the catalogue names: it
// generates work from openapi.yaml's schemas and their edges, sends each
// step to the target and, in lock step, to a fresh in-process reference
// server holding the same fixtures (the target's project, operator and user
// mapped to the reference's), and holds the two answers equivalent
// (Oracle: one function per kind of answer, each leniency citing the rule
// of docs/rules.md that allows it).
//
// Two kinds: Stateful sequences over a small pool of the run's own cases
// (creates by each route, reads, partial updates, changes of external id,
// deletes by uuid, by external id and in batches, set-state, get-state,
// lists by each filter and bound, walked page by page), each ending by
// reading every case back; and BadInput, every operation broken one way at
// a time, which must answer as the reference does and change nothing.
//
// Generation and shrinking are pgregory.net/rapid's. Writing the shrinker
// ourselves was the alternative: delta debugging over the list of steps is
// short to write, but every kind of value (a title's edge, a batch's items,
// a list's bound) would need its own way to get smaller, and a smaller
// sequence must stay one the generator could make (a step may only name a
// case an earlier step made). rapid shrinks the random choices the sequence
// was drawn from instead, so every candidate is generated again, valid by
// construction, and replayed from the start on fresh cases; one shrinker
// serves every generator. What it costs: its settings are command-line
// flags (Explore sets them, one exploration at a time per process), it
// draws small numbers more often (gen.rot rotates choices per sequence to
// even that out), and a shrink ends at a local minimum within its time
// bound, usually a few steps, not always the fewest.
package explore
