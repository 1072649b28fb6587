package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return fmt.Errorf("unknown level %q", b) // repeats its input, on purpose
	}
	return nil
}

type allTypes struct {
	S     string            `secret:"s"`
	B     []byte            `secret:"b"`
	Bool  bool              `secret:"bool"`
	I     int               `secret:"i"`
	I8    int8              `secret:"i8"`
	I64   int64             `secret:"i64"`
	U     uint              `secret:"u"`
	U16   uint16            `secret:"u16"`
	F32   float32           `secret:"f32"`
	F64   float64           `secret:"f64"`
	D     time.Duration     `secret:"d"`
	T     time.Time         `secret:"t"`
	URL   *url.URL          `secret:"url"`
	Strs  []string          `secret:"strs"`
	Ints  []int             `secret:"ints"`
	M     map[string]int    `secret:"m"`
	MS    map[string]string `secret:"ms"`
	Lvl   level             `secret:"lvl"`
	Addr  netip.Addr        `secret:"addr"`
	PI    *int              `secret:"pi"`
	PD    *time.Duration    `secret:"pd"`
	Pass  secrets.String    `secret:"pass"`
	Key   secrets.Bytes     `secret:"key"`
	Durs  []time.Duration   `secret:"durs"`
	Empty []string          `secret:"empty"`
}

func TestLoadAllTypes(t *testing.T) {
	src := secrets.Map{
		"s": "hello, world", "b": "raw\x00bytes", "bool": "true", "i": "-42", "i8": "127",
		"i64": "9223372036854775807", "u": "42", "u16": "65535", "f32": "1.5", "f64": "-2.25",
		"d": "1m30s", "t": "2026-11-26T10:00:00Z", "url": "https://example.com/x?y=1",
		"strs": "a, b ,c", "ints": "1,2,3", "m": "a:1, b:2", "ms": "url:http://x:80,k:v",
		"lvl": "high", "addr": "10.0.0.1", "pi": "7", "pd": "2s", "pass": "hunter2",
		"key": "\x01\x02", "durs": "1s,2m", "empty": "",
	}
	var c allTypes
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	assert.Equal(t, "hello, world", c.S)
	assert.Equal(t, []byte("raw\x00bytes"), c.B)
	assert.True(t, c.Bool)
	assert.Equal(t, -42, c.I)
	assert.Equal(t, int8(127), c.I8)
	assert.Equal(t, int64(9223372036854775807), c.I64)
	assert.Equal(t, uint(42), c.U)
	assert.Equal(t, uint16(65535), c.U16)
	assert.Equal(t, float32(1.5), c.F32)
	assert.Equal(t, -2.25, c.F64)
	assert.Equal(t, 90*time.Second, c.D)
	assert.True(t, c.T.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)))
	require.NotNil(t, c.URL)
	assert.Equal(t, "example.com", c.URL.Host)
	assert.Equal(t, []string{"a", "b", "c"}, c.Strs)
	assert.Equal(t, []int{1, 2, 3}, c.Ints)
	assert.Equal(t, map[string]int{"a": 1, "b": 2}, c.M)
	assert.Equal(t, map[string]string{"url": "http://x:80", "k": "v"}, c.MS)
	assert.Equal(t, level(2), c.Lvl)
	assert.Equal(t, netip.MustParseAddr("10.0.0.1"), c.Addr)
	require.NotNil(t, c.PI)
	assert.Equal(t, 7, *c.PI)
	require.NotNil(t, c.PD)
	assert.Equal(t, 2*time.Second, *c.PD)
	assert.Equal(t, "hunter2", c.Pass.Reveal())
	assert.Equal(t, []byte{1, 2}, c.Key.Reveal())
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Minute}, c.Durs)
	assert.NotNil(t, c.Empty)
	assert.Empty(t, c.Empty)
}

// secretValue is planted in every parse test; no error may contain it.
const secretValue = "s3cr3t-Value-XYZ"

func TestLoadParseErrorsNeverLeak(t *testing.T) {
	tests := []struct {
		name string
		dst  any
	}{
		{"int", &struct {
			V int `secret:"k"`
		}{}},
		{"int8 range", &struct {
			V int8 `secret:"k"`
		}{}},
		{"uint", &struct {
			V uint `secret:"k"`
		}{}},
		{"float", &struct {
			V float64 `secret:"k"`
		}{}},
		{"bool", &struct {
			V bool `secret:"k"`
		}{}},
		{"duration", &struct {
			V time.Duration `secret:"k"`
		}{}},
		{"time", &struct {
			V time.Time `secret:"k"`
		}{}},
		{"url", &struct {
			V *url.URL `secret:"k"`
		}{}},
		{"text unmarshaler", &struct {
			V level `secret:"k"`
		}{}},
		{"netip", &struct {
			V netip.Addr `secret:"k"`
		}{}},
		{"slice element", &struct {
			V []int `secret:"k"`
		}{}},
		{"map without colon", &struct {
			V map[string]string `secret:"k"`
		}{}},
		{"map value", &struct {
			V map[string]int `secret:"k"`
		}{}},
		{"json field of non-object", &struct {
			V string `secret:"k#f"`
		}{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			val := secretValue
			switch tc.name {
			case "url":
				val = "http://[" + secretValue
			case "int8 range":
				val = "1000000000"
			case "map value":
				val = "a:" + secretValue
			}
			err := secrets.Load(context.Background(), tc.dst, secrets.Map{"k": val})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), val)
			assert.NotContains(t, err.Error(), secretValue)
			var fe *secrets.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "k", strings.SplitN(fe.Key, "#", 2)[0])
			assert.Contains(t, err.Error(), "k")
		})
	}
}

func TestLoadStrconvRangeIsReachable(t *testing.T) {
	var c struct {
		V int8 `secret:"k"`
	}
	err := secrets.Load(context.Background(), &c, secrets.Map{"k": "300"})
	require.Error(t, err)
	assert.ErrorIs(t, err, secrets.ErrParse)
	assert.Contains(t, err.Error(), "out of range")
	assert.NotContains(t, err.Error(), "300")
}

func TestLoadTags(t *testing.T) {
	type DB struct {
		User string         `secret:"user"`
		Pass secrets.String `secret:"password"`
	}
	type Config struct {
		Port    int           `secret:"port,default=8080"`
		Hosts   []string      `secret:"hosts,default=a,b,c"`
		Debug   bool          `secret:"debug,optional"`
		Version string        `secret:"pinned,version=3"`
		User    string        `secret:"myapp/db#username"`
		Pass    string        `secret:"myapp/db#password"`
		Port2   int           `secret:"myapp/db#port"`
		Opt     string        `secret:"myapp/db#missing,optional"`
		DB      DB            `secret:",prefix=db_"`
		PDB     *DB           `secret:",prefix=other_"`
		Ignored string        // no tag: ignored
		Skip    string        `secret:"-"`
		Timeout time.Duration `secret:"timeout,optional,default=5s"`
	}
	src := secrets.Map{
		"pinned":         "v3",
		"myapp/db":       `{"username":"app","password":"p,w","port":5432}`,
		"db_user":        "dbu",
		"db_password":    "dbp",
		"other_user":     "ou",
		"other_password": "op",
		"Ignored":        "no",
		"ignored":        "no",
	}
	c := Config{Debug: true, Ignored: "keep"}
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	assert.Equal(t, 8080, c.Port)
	assert.Equal(t, []string{"a", "b", "c"}, c.Hosts)
	assert.True(t, c.Debug, "optional field left as it was")
	assert.Equal(t, "v3", c.Version)
	assert.Equal(t, "app", c.User)
	assert.Equal(t, "p,w", c.Pass)
	assert.Equal(t, 5432, c.Port2)
	assert.Empty(t, c.Opt)
	assert.Equal(t, "dbu", c.DB.User)
	assert.Equal(t, "dbp", c.DB.Pass.Reveal())
	require.NotNil(t, c.PDB)
	assert.Equal(t, "ou", c.PDB.User)
	assert.Equal(t, "keep", c.Ignored)
	assert.Empty(t, c.Skip)
	assert.Equal(t, 5*time.Second, c.Timeout)
}

func TestLoadDefaultWithCommasAndEquals(t *testing.T) {
	var c struct {
		M map[string]string `secret:"m,default=a:x=1,b:y"`
	}
	require.NoError(t, secrets.Load(context.Background(), &c, secrets.Map{}))
	assert.Equal(t, map[string]string{"a": "x=1", "b": "y"}, c.M)
}

func TestLoadEmbeddedStruct(t *testing.T) {
	type Common struct {
		Region string `secret:"region"`
	}
	var c struct {
		Common
		Name string `secret:"name"`
	}
	require.NoError(t, secrets.Load(context.Background(), &c, secrets.Map{"region": "eu", "name": "n"}))
	assert.Equal(t, "eu", c.Region)
}

func TestLoadBadTagsAndTypes(t *testing.T) {
	tests := []struct {
		name string
		dst  any
		want string
	}{
		{"unknown option", &struct {
			V string `secret:"k,requierd"`
		}{}, `unknown option "requierd"`},
		{"empty key", &struct {
			V string `secret:""`
		}{}, "empty key"},
		{"empty option", &struct {
			V string `secret:"k,,optional"`
		}{}, "empty option"},
		{"empty field", &struct {
			V string `secret:"k#"`
		}{}, "empty field"},
		{"empty version", &struct {
			V string `secret:"k,version="`
		}{}, "empty version"},
		{"prefix on leaf", &struct {
			V string `secret:",prefix=x_"`
		}{}, "prefix= needs a struct"},
		{"prefix with key", &struct {
			V struct{} `secret:"k,prefix=x_"`
		}{}, "prefix= is only for nested structs"},
		{"unsupported chan", &struct {
			V chan int `secret:"k"`
		}{}, "unsupported field type chan int"},
		{"unsupported func", &struct {
			V func() `secret:"k"`
		}{}, "unsupported field type"},
		{"unsupported nested slice", &struct {
			V [][]string `secret:"k"`
		}{}, "unsupported field type"},
		{"unsupported struct", &struct {
			V struct{ A int } `secret:"k"`
		}{}, "unsupported field type"},
		{"unexported", &struct {
			v string `secret:"k"` //nolint:unused
		}{}, "not exported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := secrets.Load(context.Background(), tc.dst, secrets.Map{"k": "v"})
			require.Error(t, err)
			assert.ErrorIs(t, err, secrets.ErrInvalidTag)
			assert.Contains(t, err.Error(), tc.want)
			var fe *secrets.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "v", strings.ToLower(fe.Field))
		})
	}
}

func TestLoadInvalidTarget(t *testing.T) {
	var c struct {
		V string `secret:"k"`
	}
	var nilPtr *struct{}
	for _, dst := range []any{nil, c, nilPtr, new(int), new(*struct{})} {
		err := secrets.Load(context.Background(), dst, secrets.Map{})
		assert.ErrorIs(t, err, secrets.ErrInvalidTarget, "%T", dst)
	}
}

func TestLoadReportsEveryFieldAndKeepsDst(t *testing.T) {
	type Config struct {
		A string `secret:"a"`
		B int    `secret:"b"`
		C string `secret:"c,bogus"`
		D string `secret:"d"`
	}
	c := Config{A: "before", D: "before"}
	err := secrets.Load(context.Background(), &c, secrets.Map{"b": "x", "d": "loaded"})
	require.Error(t, err)
	var le *secrets.LoadError
	require.ErrorAs(t, err, &le)
	fields := map[string]bool{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *secrets.FieldError
		require.ErrorAs(t, e, &fe)
		fields[fe.Field] = true
	}
	assert.Equal(t, map[string]bool{"Config.A": true, "Config.B": true, "Config.C": true}, fields)
	assert.Equal(t, Config{A: "before", D: "before"}, c, "a failed Load leaves dst unchanged")
}

func TestLoadMissingRequiredIsNotFound(t *testing.T) {
	var c struct {
		K string `secret:"k"`
	}
	err := secrets.Load(context.Background(), &c, secrets.Map{})
	require.ErrorIs(t, err, secrets.ErrNotFound)
	var fe *secrets.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "k", fe.Key)
	assert.Equal(t, "map", fe.Source)
}

func TestLoadJSONFieldErrors(t *testing.T) {
	var c struct {
		U string `secret:"db#user"`
		P string `secret:"db#pass"`
	}
	err := secrets.Load(context.Background(), &c, secrets.Map{"db": `{"user":"u"}`})
	require.Error(t, err)
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Contains(t, err.Error(), `no field "pass"`)
	assert.Contains(t, err.Error(), "db#pass")

	err = secrets.Load(context.Background(), &c, secrets.Map{"db": `not json ` + secretValue})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a JSON object")
	assert.NotContains(t, err.Error(), secretValue)
}

func TestLoadSourceFailureIsNotSkipped(t *testing.T) {
	boom := errors.New("backend down")
	failing := secrets.SourceFunc(func(context.Context, secrets.Ref) (secrets.Value, error) {
		return secrets.Value{}, boom
	})
	var c struct {
		K string `secret:"k,default=d"`
	}
	err := secrets.Load(context.Background(), &c, failing, secrets.Map{"k": "stale"})
	require.ErrorIs(t, err, boom, "a failing source fails the field, even with a default")
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
}

func TestLoadOriginsAndVersion(t *testing.T) {
	versioned := secrets.SourceFunc(func(_ context.Context, ref secrets.Ref) (secrets.Value, error) {
		if ref.Key != "v" {
			return secrets.Value{}, secrets.ErrNotFound
		}
		return secrets.Value{Data: []byte("x"), Version: "v-" + ref.Version}, nil
	})
	var c struct {
		V string `secret:"v,version=7"`
		M string `secret:"m"`
		D string `secret:"d,default=z"`
		O string `secret:"o,optional"`
	}
	l := secrets.Loader{Sources: []secrets.Source{versioned, secrets.Map{"m": "1"}}}
	origins, err := l.LoadOrigins(context.Background(), &c)
	require.NoError(t, err)
	require.Len(t, origins, 4)
	assert.Equal(t, secrets.Origin{Field: "V", Key: "v", Source: "secrets.SourceFunc", Version: "v-7"}, origins[0])
	assert.Equal(t, "map", origins[1].Source)
	assert.Equal(t, "default", origins[2].Source)
	assert.Equal(t, "", origins[3].Source)
}

func TestLoadDefaultSourceIsEnv(t *testing.T) {
	t.Setenv("SECRETS_SOURCE", "")
	t.Setenv("LOADTEST_KEY", "from-env")
	var c struct {
		K string `secret:"loadtest.key"`
	}
	require.NoError(t, secrets.Load(context.Background(), &c))
	assert.Equal(t, "from-env", c.K)

	dir := t.TempDir()
	writeFile(t, dir, "loadtest.key", "from-file\n")
	t.Setenv("SECRETS_SOURCE", "file://"+dir)
	require.NoError(t, secrets.Load(context.Background(), &c))
	assert.Equal(t, "from-file", c.K)

	t.Setenv("SECRETS_SOURCE", "nope://x")
	err := secrets.Load(context.Background(), &c)
	assert.ErrorIs(t, err, secrets.ErrInvalidSpec)
}

func TestLoadKeyCollision(t *testing.T) {
	var c struct {
		A string `secret:"db.password"`
		B string `secret:"db_password"`
		C string `secret:"other"`
	}
	err := secrets.Load(context.Background(), &c, &secrets.Env{LookupEnv: func(n string) (string, bool) { return "v", !strings.HasSuffix(n, "_FILE") }})
	require.ErrorIs(t, err, secrets.ErrKeyCollision)
	var le *secrets.LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Fields, 2)
	assert.Contains(t, err.Error(), "(A)")
	assert.Contains(t, err.Error(), "(B)")
	assert.Contains(t, err.Error(), "DB_PASSWORD")
}

func TestLoadTimeout(t *testing.T) {
	slow := secrets.SourceFunc(func(ctx context.Context, _ secrets.Ref) (secrets.Value, error) {
		<-ctx.Done()
		return secrets.Value{}, ctx.Err()
	})
	var c struct {
		A string `secret:"a"`
		B string `secret:"b"`
	}
	l := secrets.Loader{Sources: []secrets.Source{slow}, Timeout: 20 * time.Millisecond}
	err := l.Load(context.Background(), &c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var le *secrets.LoadError
	require.ErrorAs(t, err, &le)
	assert.Len(t, le.Fields, 2)
}

func TestLoadNilSourcesIsAnError(t *testing.T) {
	var c struct {
		K string `secret:"k"`
	}
	require.Error(t, secrets.Load(context.Background(), &c, nil))
	l := secrets.Loader{Sources: []secrets.Source{secrets.Chain()}}
	require.Error(t, l.Load(context.Background(), &c))
}

func TestLoadAuditLogNeverHoldsValues(t *testing.T) {
	var buf strings.Builder
	l := secrets.Loader{
		Sources: []secrets.Source{secrets.Map{"pw": "audit-s3cret", "port": "1"}},
		Logger:  slog.New(slog.NewJSONHandler(&buf, nil)),
	}
	var c struct {
		PW    secrets.String `secret:"pw"`
		Plain string         `secret:"pw"`
		Port  int            `secret:"port"`
	}
	require.NoError(t, l.Load(context.Background(), &c))
	out := buf.String()
	assert.NotContains(t, out, "audit-s3cret")
	assert.Equal(t, 3, strings.Count(out, `"msg":"secret loaded"`))
	assert.Contains(t, out, `"field":"PW","key":"pw","source":"map"`)

	buf.Reset()
	var d struct {
		Opt  string `secret:"opt,optional"`
		Def  int    `secret:"def,default=3"`
		Miss string `secret:"miss"`
	}
	require.Error(t, l.Load(context.Background(), &d))
	out = buf.String()
	assert.Contains(t, out, `"level":"INFO","msg":"optional secret not set","field":"Opt"`)
	assert.Contains(t, out, `"level":"INFO","msg":"secret default used","field":"Def"`)
	assert.Contains(t, out, `"level":"WARN","msg":"secret not loaded","field":"Miss"`)
}

type recursive struct {
	N    int        `secret:"n,optional"`
	Next *recursive `secret:",prefix=next_"`
}

type RecursiveExported struct {
	N int `secret:"n,optional"`
	*RecursiveExported
}

func TestLoadRecursiveStructIsAnError(t *testing.T) {
	var r recursive
	err := secrets.Load(context.Background(), &r, secrets.Map{})
	require.ErrorIs(t, err, secrets.ErrInvalidTag)
	assert.Contains(t, err.Error(), "contains itself")
	var fe *secrets.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "recursive.Next", fe.Field)

	var e RecursiveExported
	err = secrets.Load(context.Background(), &e, secrets.Map{})
	require.ErrorIs(t, err, secrets.ErrInvalidTag)
}

func TestLoadBadDefaultIsATagError(t *testing.T) {
	var c struct {
		A int           `secret:"a,default=notint"`
		D time.Duration `secret:"d,default=5"`
		S []int         `secret:"s,default=1,x"`
	}
	// Reported even though every key is set.
	err := secrets.Load(context.Background(), &c, secrets.Map{"a": "1", "d": "1s", "s": "1"})
	require.ErrorIs(t, err, secrets.ErrInvalidTag)
	require.ErrorIs(t, err, secrets.ErrParse)
	var le *secrets.LoadError
	require.ErrorAs(t, err, &le)
	assert.Len(t, le.Fields, 3)
	assert.Contains(t, err.Error(), "default value")
}

func TestLoadUnsupportedTypeMessages(t *testing.T) {
	var c struct {
		N  [][]int         `secret:"n"`
		DB struct{ A int } `secret:"db"`
	}
	err := secrets.Load(context.Background(), &c, secrets.Map{})
	require.ErrorIs(t, err, secrets.ErrInvalidTag)
	assert.Contains(t, err.Error(), "unsupported field type [][]int")
	assert.Contains(t, err.Error(), `a nested struct is tagged secret:",prefix=P"`)
}
