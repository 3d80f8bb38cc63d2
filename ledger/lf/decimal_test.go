package lf

import (
	"errors"
	"testing"
	"time"
)

func TestParseDecimal(t *testing.T) {
	cases := map[string]string{
		"0":                                      "0",
		"-12.50":                                 "-12.50",
		"+3":                                     "3",
		".5":                                     "0.5",
		"5.":                                     "5",
		"1e3":                                    "1000",
		"1.5e-3":                                 "0.0015",
		"-0.001":                                 "-0.001",
		"12345678901234567890123456789012345678": "12345678901234567890123456789012345678",
	}
	for in, want := range cases {
		d, err := ParseDecimal(in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", in, err)
			continue
		}
		if d.String() != want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", in, d, want)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.2.3", "abc", "1e", "1e99999", "--1", "1 000"} {
		if _, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) succeeded", bad)
		}
	}
}

func TestDecimalArithmetic(t *testing.T) {
	a := mustDecimal(t, "10.25")
	b := mustDecimal(t, "0.5")
	if got := a.Add(b).String(); got != "10.75" {
		t.Errorf("Add = %s", got)
	}
	if got := b.Sub(a).String(); got != "-9.75" {
		t.Errorf("Sub = %s", got)
	}
	if got := a.Mul(b).String(); got != "5.125" {
		t.Errorf("Mul = %s", got)
	}

	q, err := DecimalFromInt64(1).Quo(DecimalFromInt64(3), 10)
	if err != nil || q.String() != "0.3333333333" {
		t.Errorf("Quo = %s, %v", q, err)
	}

	// Half to even: 2.5 → 2, 3.5 → 4, -2.5 → -2.
	for in, want := range map[string]string{"2.5": "2", "3.5": "4", "-2.5": "-2", "2.51": "3"} {
		if got := mustDecimal(t, in).Round(0).String(); got != want {
			t.Errorf("Round(%s) = %s, want %s", in, got, want)
		}
	}

	if _, err := a.Quo(Decimal{}, 2); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("Quo by zero error = %v", err)
	}
	if a.Cmp(mustDecimal(t, "10.2500")) != 0 || a.Cmp(b) != 1 || b.Cmp(a) != -1 {
		t.Error("Cmp ignores scale or orders wrongly")
	}

	if got := mustDecimal(t, "0.1").Float64(); got != 0.1 {
		t.Errorf("Float64 = %v", got)
	}
	if (Decimal{}).String() != "0" || (Decimal{}).Sign() != 0 {
		t.Error("zero Decimal is not 0")
	}
	if got := mustDecimal(t, "-1.50").Neg().String(); got != "1.50" {
		t.Errorf("Neg = %s", got)
	}
	if _, ok := mustDecimal(t, "1.25").Rescale(1); ok {
		t.Error("Rescale dropped a digit without reporting it")
	}
}

func TestDate(t *testing.T) {
	d, err := ParseDate("2024-02-29")
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != "2024-02-29" || d.Days() != 19782 {
		t.Errorf("date = %s (%d days)", d, d.Days())
	}
	if DateFromDays(0).String() != "1970-01-01" || DateFromDays(-1).String() != "1969-12-31" {
		t.Error("dates around the epoch are wrong")
	}
	if DateOf(time.Date(2024, 2, 29, 23, 59, 0, 0, time.FixedZone("x", -5*3600))).String() != "2024-02-29" {
		t.Error("DateOf does not use the time's own zone")
	}
	if DateFromDays(minDateDays).String() != "0001-01-01" || DateFromDays(maxDateDays).String() != "9999-12-31" {
		t.Error("date range bounds are wrong")
	}
	for _, bad := range []string{"2023-02-29", "24-01-01", "2024-1-1", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
}
