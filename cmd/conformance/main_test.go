package main

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestPrinterNumbersLinesAndWaitsForWholeOnes(t *testing.T) {
	r, w := io.Pipe()
	var out strings.Builder
	p := &printer{out: &out, lines: bufio.NewReader(r)}
	writes := []string{"total\t3\npassed\tS200-get\tjson\nfai", "led\tE209-batch-duplicate\tjson\n", "not provoked\tE501-operators-mode\tjson\n"}
	for _, chunk := range writes {
		go func() { _, _ = w.Write([]byte(chunk)) }()
		p.lines = bufio.NewReader(io.LimitReader(r, int64(len(chunk))))
		p.drain()
	}
	want := "\n[1/3] passed       S200-get (json)\n\n[2/3] failed       E209-batch-duplicate (json)\n\n[3/3] not provoked E501-operators-mode (json)\n"
	if out.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", out.String(), want)
	}
}

func TestPrinterShowsNotes(t *testing.T) {
	var out strings.Builder
	p := &printer{out: &out, lines: bufio.NewReader(strings.NewReader("total\t2\nnote\trun abc: waiting for the fault hook's lease\npassed\tS201-operator\tjson\n"))}
	p.drain()
	want := "\nrun abc: waiting for the fault hook's lease\n[1/2] passed       S201-operator (json)\n"
	if out.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", out.String(), want)
	}
}
