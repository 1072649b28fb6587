package secrets

import (
	"strings"
	"testing"

	"github.com/joho/godotenv"
	"github.com/stretchr/testify/require"
)

// dotenvCases are inputs on which parseDotenv must agree with
// godotenv.UnmarshalBytes; they also seed FuzzParseDotenv.
var dotenvCases = []string{
	"", "\n", "# only a comment", "A=1", "A=1\nB=2\r\nC=3\r", "export A=1", "exportA=1", "export\tA=1", "export=1",
	"A = 1 ", "A: 1", "A.B_C=x", "A B=1", "a-b=1", "=1", "A", "A\nB=1", "A=\nB=2", "A=",
	`A="x"`, `A='x'`, `A="x" B=2`, `A="x" # c`, `A="multi` + "\n" + `line"`, `A="unterminated`, `A='x`,
	`A="a\nb\rc\td\\e\"f\$g\'h"`, `A='a\nb'`, `A="\\n"`, "A=\"a\\\nb\"", `A="x\\"`, `A="x\\`,
	"A=1 # comment", "A=1 #c #d", "A=1#c", "A=# c", "A= #c", "A=x\t#c", "#c\nA=1\n#d",
	"A=1\nB=$A", "A=1\nB=${A}", "A=1\nB=$A}", "A=1\nB=${A", "A=1\nB=$(A)", "A=1\nB=$({A})", "B=$a", "B=$",
	"A=1\nB=\\$A", "A=1\nB=\"\\$A\"", "A=1\nB=\"$A\"", "A=1\nB='$A'", "A=1\nB=\\\\$A", "B=${}", "B=$_X9",
	"A=\xff", "A=\"\xff\"", "\xc3\xa9=1", "\xff=1", "A\x85=1", "A=\xc2\x85x\xc2\xa0", "A=1\x0b", "\x0bA=1",
	`A=""x""`, `A=''`, `A=""`, "A='a\nb'", "  \t A=1", "A=1\n\n\nB=2", "A=\"x\"\"y\"",
	"A=" + strings.Repeat("x", 100) + " # c",
}

// checkDotenvAgainstGodotenv fails unless parseDotenv accepts what
// godotenv accepts and yields the same variables.
func checkDotenvAgainstGodotenv(t *testing.T, src []byte) {
	want, wantErr := godotenv.UnmarshalBytes(append([]byte(nil), src...))
	got, err := parseDotenv(src)
	require.Equal(t, wantErr == nil, err == nil, "accepts %q (godotenv: %v)", src, wantErr)
	if err == nil {
		require.Equal(t, want, got, "variables of %q", src)
	}
}

func TestParseDotenvMatchesGodotenv(t *testing.T) {
	for _, c := range dotenvCases {
		checkDotenvAgainstGodotenv(t, []byte(c))
	}
}

func FuzzParseDotenv(f *testing.F) {
	for _, c := range dotenvCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkDotenvAgainstGodotenv)
}
