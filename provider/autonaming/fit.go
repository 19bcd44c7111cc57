package autonaming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Rule is what one cloud name field accepts. The clouds' own rules (with
// their sources) are in provider/cloudrules and ../shared/reference/cloud-name-limits.md;
// each cloud package declares the Rule of each name it makes beside the
// source it follows.
type Rule struct {
	Min, Max int
	// Lower: only lowercase letters are accepted, or the name is unique
	// case-insensitively (IAM): names are lowercased.
	Lower bool
	// Extra are the characters accepted besides ASCII letters and digits,
	// e.g. "-", "-_", "._-". Any other character becomes Sep.
	Extra string
	// Sep joins and replaces; 0 means no separator is accepted (storage
	// accounts, registries), so other characters are dropped.
	Sep byte
	// LetterFirst: the first character must be a letter.
	LetterFirst bool
	// NotPrefix are prefixes the name must not start with (compared
	// case-insensitively), e.g. "internal-" for load balancers.
	NotPrefix []string
}

// HashLen is the length of the hash a shortened or changed name ends with.
const HashLen = 8

// Hash is the hex SHA-256 prefix that Fit appends: deterministic, so the
// same original always gives the same suffix.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:HashLen]
}

func (r Rule) allowed(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	case c >= 'A' && c <= 'Z':
		return !r.Lower
	}
	return strings.IndexByte(r.Extra, c) >= 0
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isLetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// Valid says whether s fits r as it is. Besides r's own fields, every name
// starts and ends with a letter or digit and has no two separators in a row:
// that is what every name we make looks like, and what most of the clouds'
// rules (ELBv2, RDS, ElastiCache, Key Vault, Container Apps) demand.
func (r Rule) Valid(s string) bool {
	if len(s) == 0 || len(s) < r.Min || (r.Max > 0 && len(s) > r.Max) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !r.allowed(s[i]) {
			return false
		}
		if r.Sep != 0 && s[i] == r.Sep && i > 0 && s[i-1] == r.Sep {
			return false
		}
	}
	if !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) || (r.LetterFirst && !isLetter(s[0])) {
		return false
	}
	return !r.forbiddenPrefix(s)
}

// clean maps s into r's characters: lowercased if r.Lower, every other
// character replaced by Sep (dropped when there is none), no separator runs,
// letters or digits at both ends, a letter first when r asks for one.
func (r Rule) clean(s string) string {
	if r.Lower {
		s = strings.ToLower(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !r.allowed(c) || (r.Sep != 0 && c == r.Sep) {
			if r.Sep == 0 {
				continue
			}
			c = r.Sep
		}
		if c == r.Sep && r.Sep != 0 {
			if b.Len() == 0 || b.String()[b.Len()-1] == r.Sep {
				continue
			}
		}
		b.WriteByte(c)
	}
	out := trimEnd(b.String())
	out = strings.TrimLeftFunc(out, func(c rune) bool { return c >= 0x80 || !isAlnum(byte(c)) })
	if out != "" && r.LetterFirst && !isLetter(out[0]) {
		out = "d" + r.sepString() + out
	}
	if r.forbiddenPrefix(out) {
		out = "d" + r.sepString() + out
	}
	return out
}

func (r Rule) sepString() string {
	if r.Sep == 0 {
		return ""
	}
	return string(r.Sep)
}

// trimEnd drops trailing characters that are not letters or digits.
func trimEnd(s string) string {
	for len(s) > 0 && !isAlnum(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// Fit makes s a name that r accepts. A name that already fits is returned
// unchanged. Otherwise it is cleaned (see clean), and whenever cleaning
// changed it or it is too long it is cut and ends with Sep and Hash(s): so
// "api.v2", "api-v2" and "api_v2" stay three names wherever one of them is
// rewritten, and the same s always gives the same name.
func (r Rule) Fit(s string) string {
	if r.Valid(s) {
		return s
	}
	suffix := Hash(s)
	c := r.clean(s)
	out := r.withSuffix(c, suffix)
	if r.forbiddenPrefix(out) {
		// The suffix completed a forbidden prefix ("internAl " gives
		// "internal-…"): start with a letter no prefix has.
		out = r.withSuffix("d"+r.sepString()+c, suffix)
	}
	return out
}

// withSuffix is c, cut to leave room, then Sep and suffix.
func (r Rule) withSuffix(c, suffix string) string {
	budget := r.Max - len(suffix) - len(r.sepString())
	if r.Max <= 0 {
		budget = len(c)
	}
	if budget < 0 {
		budget = 0 // a Max shorter than the suffix: no rule we name has one
	}
	if len(c) > budget {
		c = trimEnd(c[:budget])
	}
	if c == "" {
		if r.LetterFirst || !r.allowed('0') {
			c = "d"
		} else {
			return suffix
		}
	}
	return c + r.sepString() + suffix
}

func (r Rule) forbiddenPrefix(s string) bool {
	for _, p := range r.NotPrefix {
		if strings.HasPrefix(strings.ToLower(s), strings.ToLower(p)) {
			return true
		}
	}
	return false
}

// maxDNSLabel is the longest DNS label (RFC 1035 section 2.3.4).
const maxDNSLabel = 63

// DNSLabelWithSuffix is label followed by suffix ("--8080") as one DNS
// label of at most 63 characters: when that is too long, label is cut and
// given a hash of orig (the name label came from), so that two long names
// sharing a prefix stay distinct and the same name always gives the same
// label.
func DNSLabelWithSuffix(label, suffix, orig string) string {
	if len(label)+len(suffix) > maxDNSLabel {
		keep := maxDNSLabel - len(suffix) - HashLen - 1
		if keep > len(label) {
			keep = len(label)
		}
		label = strings.TrimRight(label[:keep], "-") + "-" + Hash(orig)
	}
	return label + suffix
}
