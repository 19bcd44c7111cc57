package aws

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// AWS name limits that our derived names must respect.
const (
	maxLoadBalancerName = 32 // ALB/NLB and target group names
	maxRoleName         = 64 // IAM role names
	maxLogGroupName     = 512
	maxECRRepoName      = 256
	maxCodeBuildName    = 255
)

// physicalName joins parts with "-", keeps only characters every AWS name
// accepts (lowercase letters, digits and '-'), and, when the result is longer
// than max, cuts it and appends a short hash of the full name so that two long
// names that share a prefix stay distinct. The same parts always give the same
// name.
func physicalName(max int, parts ...string) string {
	full := sanitizeName(strings.Join(parts, "-"))
	if len(full) <= max {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	suffix := hex.EncodeToString(sum[:])[:8]
	head := strings.TrimRight(full[:max-len(suffix)-1], "-")
	return head + "-" + suffix
}

func sanitizeName(s string) string {
	var b strings.Builder
	lastDash := false
	for _, r := range strings.ToLower(s) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		if !ok {
			r = '-'
		}
		if r == '-' {
			if lastDash || b.Len() == 0 {
				continue
			}
			lastDash = true
		} else {
			lastDash = false
		}
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), "-")
}

// logGroupName is "/defang/<part>/<part>/...", each part sanitized, within
// CloudWatch's 512-character limit.
func logGroupName(parts ...string) string {
	return "/" + hierarchicalName(maxLogGroupName-1, append([]string{"defang"}, parts...)...)
}

// repositoryName is "defang/<project>-<stack>/<service>" within ECR's limit.
func repositoryName(project, stack, service string) string {
	return hierarchicalName(maxECRRepoName, "defang", sanitizeName(project+"-"+stack), service)
}

// hierarchicalName joins sanitized parts with "/" and shortens the result
// with a hash when it is longer than max.
func hierarchicalName(max int, parts ...string) string {
	clean := make([]string, len(parts))
	for i, p := range parts {
		clean[i] = sanitizeName(p)
	}
	full := strings.Join(clean, "/")
	if len(full) <= max {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	suffix := hex.EncodeToString(sum[:])[:8]
	return strings.TrimRight(full[:max-len(suffix)-1], "-/") + "-" + suffix
}
