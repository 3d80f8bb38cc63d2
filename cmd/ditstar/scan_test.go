package main

import (
	"testing"
	"time"
)

func TestScanCommandCalls(t *testing.T) {
	src := `from dazl import create, exercise
# exercise(cid, "Commented")
def main(env, events):
    s = "exercise(cid, 'InString')"
    @events.ledger.contract_created("Main:Request")
    async def on_request(event):
        return [
            exercise(event.cid, "Accept", {"note": f"x{1}"}),
            dazl.exercise(event.cid, choice='Reject'),
            create("Main:Receipt", {"owner": env.party}),
            exercise_by_key("Main:Counter", env.party, "Increment"),
            create_and_exercise(template="Main:Job",
                                payload={},
                                choice="Start"),
            exercise(event.cid, name),
            exercise(event.cid, "A" + "B"),
            other.create("NotACommand", {}),
        ]
`
	calls := scanCommandCalls(src)
	type want struct {
		name, template, choice string
		line                   int
	}
	wants := []want{
		{"exercise", "", "Accept", 8},
		{"exercise", "", "Reject", 9},
		{"create", "Main:Receipt", "", 10},
		{"exercise_by_key", "Main:Counter", "Increment", 11},
		{"create_and_exercise", "Main:Job", "Start", 12},
		{"exercise", "", "", 15},
		{"exercise", "", "", 16},
	}
	if len(calls) != len(wants) {
		t.Fatalf("got %d calls, want %d: %+v", len(calls), len(wants), calls)
	}
	for i, w := range wants {
		c := calls[i]
		if c.name != w.name || c.template != w.template || c.choice != w.choice || c.line != w.line {
			t.Errorf("call %d = %s(%q, %q) line %d; want %s(%q, %q) line %d",
				i, c.name, c.template, c.choice, c.line, w.name, w.template, w.choice, w.line)
		}
	}
	if got := calls[4].choicePos; got != [2]int{14, 40} {
		t.Errorf("create_and_exercise choice position = %v, want line 14 column 40", got)
	}
	if got := calls[0].choicePos; got != [2]int{8, 33} {
		t.Errorf("exercise choice position = %v, want line 8 column 33", got)
	}
}

func TestScanCommandCallsUnterminated(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []commandCall
	}{
		{
			name: "string never closed",
			src:  `exercise(cid, "open`,
			want: []commandCall{{name: "exercise", line: 1, col: 1}},
		},
		{
			name: "call never closed",
			src:  `create(`,
			want: []commandCall{{name: "create", line: 1, col: 1}},
		},
		{
			name: "triple-quoted string never closed",
			src:  `"""never closed`,
			want: nil,
		},
		{
			name: "arguments never closed",
			src:  `exercise(a, b`,
			want: []commandCall{{name: "exercise", line: 1, col: 1}},
		},
		{
			name: "literal before an open dict",
			src:  `exercise(cid, "Go", {"a": [1, (2`,
			want: []commandCall{{name: "exercise", line: 1, col: 1, choice: "Go", choicePos: [2]int{1, 15}}},
		},
		{
			// A quoted string ends at the end of its line, as in Starlark,
			// so the call on the next line is still found.
			name: "string open at line end",
			src:  "x = 'abc\nexercise(c, \"Y\")",
			want: []commandCall{{name: "exercise", line: 2, col: 1, choice: "Y", choicePos: [2]int{2, 13}}},
		},
		{
			name: "comment with an open call",
			src:  `# exercise(`,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The scanner runs in a goroutine so that a loop fails the test
			// instead of hanging it.
			done := make(chan []commandCall, 1)
			go func() { done <- scanCommandCalls(tt.src) }()
			var got []commandCall
			select {
			case got = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("scanCommandCalls(%q) did not return within 10s", tt.src)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("scanCommandCalls(%q) = %+v, want %+v", tt.src, got, tt.want)
			}
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("call %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// FuzzScanCommandCalls checks that the scanner ends on any input and that
// every call it reports has a known command name.
func FuzzScanCommandCalls(f *testing.F) {
	f.Add(`exercise(event.cid, "Accept", {"a": [1, (2)]})`)
	f.Add(`create_and_exercise(template="T:T", payload={}, choice='C')`)
	f.Add(`"""exercise(x, "y")""" # exercise(`)
	f.Add(`dazl.create(f"{x}", r'\d')`)
	f.Fuzz(func(t *testing.T, src string) {
		for _, call := range scanCommandCalls(src) {
			if _, ok := commandParams[call.name]; !ok {
				t.Fatalf("unknown command %q reported", call.name)
			}
			if call.line < 1 || call.col < 1 {
				t.Fatalf("call %q at line %d column %d", call.name, call.line, call.col)
			}
		}
	})
}
