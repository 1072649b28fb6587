#!/usr/bin/env bash
# run.sh runs every benchmark of the bench module side by side and prints a
# summary: benchstat tables (Env50 and Remote50 with one column per
# library/variant), the AWS numbers, and binary sizes.
#
#   bench/run.sh                 # -count=6, results in bench/results/
#   COUNT=10 bench/run.sh        # more rounds (samples)
#   BENCH=Env50 bench/run.sh     # only the benchmarks matching a regexp
#   PROFILE=1 bench/run.sh       # also CPU and memory profiles of Env50/secrets
#
# Benchmarks are not tests: nothing here fails on a number. CI only checks
# that they compile and run once:
#   (cd bench && go vet ./... && go test -run '^$' -bench . -benchtime=1x ./...)
set -euo pipefail

cd "$(dirname "$0")"
COUNT=${COUNT:-6}
BENCH=${BENCH:-.}
OUT=${OUT:-results}
BENCHSTAT=(go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da)
OPTOUT=secrets_novault,secrets_noaws,secrets_nogcp,secrets_noazure,secrets_nodotenv
mkdir -p "$OUT/bin"

echo "== machine"
echo "$(go version); $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

echo
echo "== go test -bench '$BENCH', $COUNT rounds (raw output in $OUT/bench.txt)"
go vet ./...
go test -c -o "$OUT/bench.test" .
# COUNT rounds of -count=1 rather than one -count=COUNT: the libraries
# then alternate, so that the noise of a shared machine hits all alike.
: >"$OUT/bench.txt"
for ((i = 1; i <= COUNT; i++)); do
	if ! "$OUT/bench.test" -test.run '^$' -test.bench "$BENCH" -test.count=1 -test.timeout 60m -test.v >>"$OUT/bench.txt"; then
		grep -B5 -A5 -e '^--- FAIL' -e '^panic' "$OUT/bench.txt" >&2 || tail -20 "$OUT/bench.txt" >&2
		exit 1
	fi
done
grep -B1 -e '^--- SKIP' "$OUT/bench.txt" | grep -v '^--$' | awk '!seen[$0]++' || true

# Sub-benchmarks named lib=X let benchstat put the libraries side by side,
# each compared with the first column (this library).
sed -E 's#^Benchmark(Env50|Remote50)/#Benchmark\1/lib=#' "$OUT/bench.txt" >"$OUT/bench-cols.txt"
for b in Env50 Remote50; do
	if grep -q "^Benchmark$b/" "$OUT/bench-cols.txt"; then
		echo
		echo "== benchstat: $b"
		"${BENCHSTAT[@]}" -filter ".name:$b" -col /lib "$OUT/bench-cols.txt" | tee "$OUT/benchstat-$b.txt"
	fi
done
if grep -q '^BenchmarkAWS100' "$OUT/bench.txt"; then
	echo
	echo "== benchstat: AWS100"
	"${BENCHSTAT[@]}" -filter ".name:AWS100" "$OUT/bench.txt" | tee "$OUT/benchstat-AWS100.txt"
fi

if [[ -n "${PROFILE:-}" ]]; then
	echo
	echo "== profiles of Env50/secrets in $OUT/cpu.out, $OUT/mem.out"
	"$OUT/bench.test" -test.run '^$' -test.bench 'Env50/secrets' -test.benchtime=200000x \
		-test.cpuprofile "$OUT/cpu.out" -test.memprofile "$OUT/mem.out" >/dev/null
	go tool pprof -top -cum "$OUT/bench.test" "$OUT/cpu.out" 2>/dev/null | sed -n '1,25p'
fi

echo
echo "== binary size (bytes) of an env-only program"
size() { stat -c %s "$1"; }
build() { # name flags... ; builds bench/cmd/$prog into $OUT/bin/$name
	local name=$1 prog=$2
	shift 2
	go build "$@" -o "$OUT/bin/$name" "./cmd/$prog"
}
printf '%-44s %12s %12s\n' program default "-s -w"
for row in \
	"a getenv|plain os.Getenv (a)|" \
	"b envonly|secrets.Load, every opt-out tag (b)|-tags=$OPTOUT" \
	"c envonly|secrets.Load, no tags (c)|" \
	"caarlos0 caarlos0|caarlos0/env v11|" \
	"envconfig envconfig|sethvargo/go-envconfig|"; do
	IFS='|' read -r ids label tags <<<"$row"
	read -r name prog <<<"$ids"
	build "$name" "$prog" $tags
	build "$name-s" "$prog" $tags -ldflags='-s -w'
	printf '%-44s %12d %12d\n' "$label" "$(size "$OUT/bin/$name")" "$(size "$OUT/bin/$name-s")"
done
ratio() { awk -v b="$1" -v a="$2" 'BEGIN { printf "%.3f (%+.1f%%)", b / a, (b / a - 1) * 100 }'; }
echo "ratio (b)/(a), target <= 1.15: default $(ratio "$(size "$OUT/bin/b")" "$(size "$OUT/bin/a")"), -s -w $(ratio "$(size "$OUT/bin/b-s")" "$(size "$OUT/bin/a-s")")"
echo "ratio (c)/(a), documented:     default $(ratio "$(size "$OUT/bin/c")" "$(size "$OUT/bin/a")"), -s -w $(ratio "$(size "$OUT/bin/c-s")" "$(size "$OUT/bin/a-s")")"

echo
echo "== summary"
awk '
$4 != "ns/op" { next } # -test.v prints each name alone first
/^BenchmarkEnv50\// { split($1, n, "/"); sub(/-[0-9]+$/, "", n[2]); env[n[2]] += $3; envc[n[2]]++ }
/^BenchmarkRemote50\// {
	split($1, n, "/"); sub(/-[0-9]+$/, "", n[2])
	for (i = 3; i < NF; i++) if ($(i+1) == "roundtrips/op") { rt[n[2]] += $i; rtc[n[2]]++ }
}
/^BenchmarkAWS100/ {
	awsns += $3; awsc++
	for (i = 3; i < NF; i++) if ($(i+1) == "calls/op") awscalls += $i
}
END {
	for (k in env) printf "Env50 %-10s mean %10.0f ns/op\n", k, env[k] / envc[k]
	for (k in rt) printf "Remote50 %-14s mean %6.2f roundtrips/op (%s)\n", k, rt[k] / rtc[k], k == "sequential" ? "reference" : "target <= 2"
	if (awsc) printf "AWS100 mean %.1f ms/op, %.1f calls/op\n", awsns / awsc / 1e6, awscalls / awsc
}' "$OUT/bench.txt" | sort
