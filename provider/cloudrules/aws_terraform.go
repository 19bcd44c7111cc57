package cloudrules

import "regexp"

// terraform-provider-aws's own schema validations (ValidateFunc), which
// pulumi-aws runs in Check, so that `pulumi preview` fails with their
// wording before any AWS API sees the value. The botocore models carry none
// of these: ELBv2's TargetGroupName and LoadBalancerName, and every RDS,
// DocumentDB and ElastiCache identifier, are plain strings there.
//
// Sources (hashicorp/terraform-provider-aws, read through the search tool):
//   - internal/service/elbv2/validate.go: validName (aws_lb name) and
//     validTargetGroupName (aws_lb_target_group name);
//   - internal/service/rds/validate.go: validIdentifier (aws_db_instance
//     identifier) and validSubnetGroupName (aws_db_subnet_group name);
//   - internal/service/docdb/validate.go: validClusterIdentifier,
//     validIdentifier (63 at most) and validSubnetGroupName;
// ElastiCache's replicationGroupId rules are in aws_documented.go: the
// stored copy of terraform-provider-aws's validation for it was not found,
// so they are checked as AWS documents them.

// Whole-value patterns for the checks terraform-provider-aws writes as
// several regexps (a StringRule pattern must match the entire value).
var (
	tfAlnumHyphen       = regexp.MustCompile(`^[0-9A-Za-z-]+$`)
	tfLowerAlnumHyphen  = regexp.MustCompile(`^[0-9a-z-]+$`)
	tfNoLeadingHyphen   = regexp.MustCompile(`^([^-][\s\S]*)?$`)
	tfNoTrailingHyphen  = regexp.MustCompile(`^([\s\S]*[^-])?$`)
	tfNoDoubleHyphen    = regexp.MustCompile(`^([^-]|-[^-])*-?$`)
	tfFirstLowerLetter  = regexp.MustCompile(`^[a-z][\s\S]*$`)
	tfSubnetGroupName   = regexp.MustCompile(`^[0-9a-z_ .-]+$`)
	tfNotDefaultSubnets = regexp.MustCompile(`^([\s\S]{0,6}|[\s\S]{8,}|[^dD][\s\S]*|[dD][^eE][\s\S]*|[dD][eE][^fF][\s\S]*|[dD][eE][fF][^aA][\s\S]*|[dD][eE][fF][aA][^uU][\s\S]*|[dD][eE][fF][aA][uU][^lL][\s\S]*|[dD][eE][fF][aA][uU][lL][^tT])$`)
)

const (
	tfELBv2 = "terraform-provider-aws internal/service/elbv2/validate.go"
	tfRDS   = "terraform-provider-aws internal/service/rds/validate.go"
	tfDocDB = "terraform-provider-aws internal/service/docdb/validate.go"
)

// tf is a StringRule in terraform-provider-aws's wording.
func tf(path, source string, max int, pattern *regexp.Regexp, describe string) StringRule {
	return StringRule{Path: path, Max: max, Pattern: pattern, Describe: describe, Style: StyleTerraform, Source: source}
}

// tfIdentifier is validIdentifier of rds and docdb: lowercase letters,
// digits and single hyphens, first a letter, no trailing hyphen.
func tfIdentifier(path, source string) []StringRule {
	return []StringRule{
		tf(path, source, 0, tfLowerAlnumHyphen, "only lowercase alphanumeric characters and hyphens allowed"),
		tf(path, source, 0, tfFirstLowerLetter, "first character must be a letter"),
		tf(path, source, 0, tfNoDoubleHyphen, "cannot contain two consecutive hyphens"),
		tf(path, source, 0, tfNoTrailingHyphen, "cannot end with a hyphen"),
	}
}

func tfSubnetGroup(source string) []StringRule {
	return []StringRule{
		tf("name", source, 255, tfSubnetGroupName, "only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed"),
		tf("name", source, 0, tfNotDefaultSubnets, `is not allowed as "Default"`),
	}
}

func init() {
	lbName := []StringRule{
		tf("name", tfELBv2+" validName", 32, tfAlnumHyphen, "only alphanumeric characters and hyphens allowed"),
		tf("name", tfELBv2+" validName", 0, tfNoLeadingHyphen, "cannot begin with a hyphen"),
		tf("name", tfELBv2+" validName", 0, tfNoTrailingHyphen, "cannot end with a hyphen"),
	}
	lbName[0].NotPrefix = []string{"internal-"}
	Register(TypeRules{Token: "aws:lb/loadBalancer:LoadBalancer", Strings: lbName})
	Register(TypeRules{Token: "aws:lb/targetGroup:TargetGroup", Strings: []StringRule{
		tf("name", tfELBv2+" validTargetGroupName", 32, tfAlnumHyphen, "only alphanumeric characters and hyphens allowed"),
		tf("name", tfELBv2+" validTargetGroupName", 0, tfNoLeadingHyphen, "cannot begin with a hyphen"),
		tf("name", tfELBv2+" validTargetGroupName", 0, tfNoTrailingHyphen, "cannot end with a hyphen"),
	}})

	Register(TypeRules{Token: "aws:rds/instance:Instance", Strings: tfIdentifier("identifier", tfRDS+" validIdentifier")})
	Register(TypeRules{Token: "aws:rds/subnetGroup:SubnetGroup", Strings: tfSubnetGroup(tfRDS + " validSubnetGroupName")})

	Register(TypeRules{Token: "aws:docdb/cluster:Cluster", Strings: tfIdentifier("clusterIdentifier", tfDocDB+" validClusterIdentifier")})
	docdbInstance := tfIdentifier("identifier", tfDocDB+" validIdentifier")
	docdbInstance[0].Max = 63
	Register(TypeRules{Token: "aws:docdb/clusterInstance:ClusterInstance", Strings: docdbInstance})
	Register(TypeRules{Token: "aws:docdb/subnetGroup:SubnetGroup", Strings: tfSubnetGroup(tfDocDB + " validSubnetGroupName")})
}
