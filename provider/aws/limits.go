package aws

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// iamPolicyARN is the ARN of a managed IAM policy, AWS's own or a
// customer's: arn:<partition>:iam::<account id|aws>:policy/<path><name>
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
// The path is "/" or /<text>/ of ASCII 0x21-0x7E and the name is
// [\w+=,.@-]{1,128}, as CreatePolicy's PolicyName and Path patterns say
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html);
// the partitions are those of
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
// that have IAM.
var iamPolicyARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::(\d{12}|aws):policy/([\x21-\x7e]*/)?[\w+=,.@-]{1,128}$`)

// azureRole matches what is an Azure role definition (its GUID, or its
// resource id), so that the error can say which cloud the entry is for.
var azureRole = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|/providers/Microsoft\.Authorization/roleDefinitions/`)

// ecsUlimits are the ulimit names ECS takes: the UlimitName enum of
// botocore's ECS model (provider/cloudrules), the valid values of
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Ulimit.html.
func ecsUlimits() []string {
	r, _ := cloudrules.For("aws:ecs/taskDefinition:TaskDefinition")
	for _, sr := range r.Strings {
		if sr.Path == "containerDefinitions(json)[].ulimits[].name" {
			return sr.Enum
		}
	}
	return nil
}

// CheckLimits reports, all at once, what a compose file asks that this
// provider does not deploy on AWS: x-defang-policies entries that are not
// IAM policy ARNs, and ulimits ECS does not take. Either would otherwise
// reach AWS only at deploy time, as a failure half-way through an update.
func CheckLimits(project *compose.Project) error {
	var errs compose.Errors
	names := ecsUlimits()
	for _, s := range project.Services {
		if !runsContainer(s) {
			continue // no container: its ulimits and policies are not used
		}
		for _, u := range s.Ulimits {
			field := "ulimits." + u.Name
			switch {
			case !slices.Contains(names, u.Name):
				errs = append(errs, compose.Diagnostic{Service: s.Name, Field: field,
					Message: fmt.Sprintf("ECS has no ulimit %q; it takes %s", u.Name, strings.Join(names, ", "))})
			case u.Soft > u.Hard:
				errs = append(errs, compose.Diagnostic{Service: s.Name, Field: field,
					Message: fmt.Sprintf("the soft limit %d is above the hard limit %d", u.Soft, u.Hard)})
			}
		}
		for _, p := range s.Policies {
			switch {
			case iamPolicyARN.MatchString(p):
				continue
			case azureRole.MatchString(p):
				errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "x-defang-policies",
					Message: fmt.Sprintf("%q is an Azure role definition, not an IAM policy ARN: on AWS, list policy ARNs (arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<path><name>)", p)})
			default:
				errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "x-defang-policies",
					Message: fmt.Sprintf("%q is not an IAM policy ARN (arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<path><name>)", p)})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// policyAttachmentName is the logical name of a policy's attachment: a
// short digest of the ARN, so that adding or removing one entry leaves the
// others' attachments in place (an index would shift), and an ARN's "::"
// never reaches a URN.
func policyAttachmentName(service, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return fmt.Sprintf("%s-policy-%x", service, sum[:4])
}
