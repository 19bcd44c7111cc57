package standin

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Type tokens of the random provider's resources the stand-in knows.
const (
	randomPassword = "random:index/randomPassword:RandomPassword"
	randomString   = "random:index/randomString:RandomString"
	randomID       = "random:index/randomId:RandomId"
	randomInteger  = "random:index/randomInteger:RandomInteger"
	randomUUID     = "random:index/randomUuid:RandomUuid"
	randomPet      = "random:index/randomPet:RandomPet"
)

// randomDefaultSpecial is the random provider's default set of special
// characters.
const randomDefaultSpecial = "!@#$%&*()-_=+[]{}<>:?"

// stream is an endless deterministic byte source: SHA-256 of the seed and a
// counter, block after block.
type stream struct {
	seed  string
	n     uint64
	block []byte
}

func newStream(seed string) *stream { return &stream{seed: seed} }

func (s *stream) byte() byte {
	if len(s.block) == 0 {
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], s.n)
		s.n++
		sum := sha256.Sum256(append([]byte(s.seed+"\x00"), ctr[:]...))
		s.block = sum[:]
	}
	b := s.block[0]
	s.block = s.block[1:]
	return b
}

func (s *stream) bytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = s.byte()
	}
	return out
}

// intn is a number in [0, n), n > 0.
func (s *stream) intn(n int) int {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.byte())
	}
	return int(v % uint64(n))
}

// randomState computes the id and outputs of a random resource; urn (the
// resource's URN, or tables.randomSeed's seed for a later incarnation)
// seeds every generated value.
func randomState(typ, urn string, inputs property.Map) (string, property.Map) {
	state := inputs.AsMap()
	set := func(key string, v property.Value) { state[key] = v }
	switch typ {
	case randomPassword, randomString:
		result := randomText(urn, inputs)
		if typ == randomPassword {
			set("result", property.New(result).WithSecret(true))
			set("bcryptHash", property.New(fakeBcrypt(urn, result)).WithSecret(true))
			return "none", property.NewMap(state)
		}
		set("result", property.New(result))
		return result, property.NewMap(state)
	case randomID:
		n := intInput(inputs, "byteLength", 8)
		if n < 1 {
			n = 1
		}
		raw := newStream(urn).bytes(n)
		prefix := strInput(inputs, "prefix", "")
		b64URL := base64.RawURLEncoding.EncodeToString(raw)
		set("hex", property.New(prefix+hex.EncodeToString(raw)))
		set("b64Url", property.New(prefix+b64URL))
		set("b64Std", property.New(prefix+base64.StdEncoding.EncodeToString(raw)))
		set("dec", property.New(prefix+new(big.Int).SetBytes(raw).String()))
		return b64URL, property.NewMap(state)
	case randomInteger:
		lo, hi := intInput(inputs, "min", 0), intInput(inputs, "max", 0)
		if hi < lo {
			lo, hi = hi, lo
		}
		result := lo + newStream(urn).intn(hi-lo+1)
		set("result", property.New(float64(result)))
		return strconv.Itoa(result), property.NewMap(state)
	case randomUUID:
		b := newStream(urn).bytes(16)
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
		h := hex.EncodeToString(b)
		result := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		set("result", property.New(result))
		return result, property.NewMap(state)
	case randomPet:
		result := randomPetName(urn, inputs)
		return result, property.NewMap(state)
	}
	return "random-" + shortID(typ, urn), property.NewMap(state)
}

// randomText is the result of a RandomPassword or RandomString: length
// characters from the enabled classes, with each class's minimum met.
func randomText(urn string, inputs property.Map) string {
	length := intInput(inputs, "length", 16)
	if length < 1 {
		length = 1
	}
	type class struct {
		chars string
		min   int
	}
	special := randomDefaultSpecial
	if s := strInput(inputs, "overrideSpecial", ""); s != "" {
		special = s
	}
	var classes []class
	add := func(enabled, minKey, chars string) {
		if boolInput(inputs, enabled, true) {
			classes = append(classes, class{chars, intInput(inputs, minKey, 0)})
		}
	}
	add("upper", "minUpper", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	add("lower", "minLower", "abcdefghijklmnopqrstuvwxyz")
	add("numeric", "minNumeric", "0123456789")
	add("special", "minSpecial", special)
	if len(classes) == 0 {
		classes = []class{{chars: "abcdefghijklmnopqrstuvwxyz"}}
	}
	s := newStream(urn)
	var out []byte
	all := ""
	for _, c := range classes {
		all += c.chars
		for range c.min {
			out = append(out, c.chars[s.intn(len(c.chars))])
		}
	}
	for len(out) < length {
		out = append(out, all[s.intn(len(all))])
	}
	// Shuffle, so that the minimums do not always lead.
	for i := len(out) - 1; i > 0; i-- {
		j := s.intn(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// fakeBcrypt is shaped like a bcrypt hash ($2a$10$ and 53 characters of
// bcrypt's alphabet) but is a SHA-256 of the URN and the password: real
// bcrypt salts at random.
func fakeBcrypt(urn, password string) string {
	const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	s := newStream(urn + "\x00bcrypt\x00" + password)
	var b strings.Builder
	b.WriteString("$2a$10$")
	for range 53 {
		b.WriteByte(alphabet[s.intn(len(alphabet))])
	}
	return b.String()
}

var (
	petAdjectives = []string{"able", "brave", "calm", "daring", "eager", "fair", "gentle", "happy", "keen", "lively",
		"merry", "noble", "proud", "quick", "sunny", "tidy", "vast", "witty", "young", "zesty"}
	petNames = []string{"alpaca", "beagle", "cat", "dingo", "eagle", "ferret", "gecko", "heron", "ibis", "jackal",
		"koala", "lemur", "marmot", "newt", "otter", "panda", "quail", "robin", "seal", "tapir"}
)

// randomPetName is prefix, length-1 adjectives and a name, joined by the
// separator.
func randomPetName(urn string, inputs property.Map) string {
	length := intInput(inputs, "length", 2)
	if length < 1 {
		length = 1
	}
	sep := strInput(inputs, "separator", "-")
	s := newStream(urn)
	var words []string
	if p := strInput(inputs, "prefix", ""); p != "" {
		words = append(words, p)
	}
	for range length - 1 {
		words = append(words, petAdjectives[s.intn(len(petAdjectives))])
	}
	words = append(words, petNames[s.intn(len(petNames))])
	return strings.Join(words, sep)
}

func intInput(m property.Map, key string, def int) int {
	if v, ok := m.GetOk(key); ok && v.IsNumber() {
		return int(v.AsNumber())
	}
	return def
}

func boolInput(m property.Map, key string, def bool) bool {
	if v, ok := m.GetOk(key); ok && v.IsBool() {
		return v.AsBool()
	}
	return def
}

func strInput(m property.Map, key, def string) string {
	if v, ok := m.GetOk(key); ok && v.IsString() {
		return v.AsString()
	}
	return def
}

// shortID is 12 hex digits of SHA-256 over the parts.
func shortID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "::")))
	return hex.EncodeToString(sum[:])[:12]
}

// randomSeed is the seed of the random resource urn: its URN for the first
// incarnation, and the URN with the incarnation's number for each later one,
// so a RandomId that lives and dies with a Key Vault secret or a store's
// final snapshot name gives a new name when it is created again (the real
// random provider reads crypto/rand on every Create) while every run of a
// test stays the same. creating: the seed of the incarnation about to be
// created; otherwise of the latest one.
func (t *tables) randomSeed(urn string, creating bool) string {
	t.mu.Lock()
	created := 0
	for _, c := range t.calls {
		if c.Method == "Create" && !c.Preview && c.URN == urn && c.Error == "" {
			created++
		}
	}
	t.mu.Unlock()
	n := created
	if !creating && n > 0 {
		n--
	}
	if n == 0 {
		return urn
	}
	return urn + "#" + strconv.Itoa(n)
}
