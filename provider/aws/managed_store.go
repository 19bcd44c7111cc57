package aws

// What the managed stores (ManagedPostgres on RDS, ManagedRedis on
// ElastiCache, ManagedMongo on DocumentDB) share: their per-mode table
// (DESIGN.md section 5), their inputs' documentation, their names, a
// security group that admits only the given client groups, the master
// password and its SSM parameter, and what allowDowntime means.

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Name limits of the stores' physical names; the identifiers' and subnet
// groups' are their nameSpecs (naming.go).
const (
	// maxSnapshotIdentifier bounds final snapshot identifiers.
	maxSnapshotIdentifier = 255
)

// storeModeSettings is DESIGN.md section 5 for the managed stores.
type storeModeSettings struct {
	// BackupRetentionDays of automated backups (RDS, DocumentDB) and
	// snapshots (ElastiCache). Affordable keeps 1 day rather than 0: 0
	// turns point-in-time recovery off, and one day of backups of a small
	// database costs nothing beyond the storage AWS includes.
	BackupRetentionDays int
	// Protected turns on deletion protection (RDS, DocumentDB) and a final
	// snapshot on delete (all three).
	Protected bool
	// MultiAZ puts a standby (RDS) or replicas (ElastiCache, DocumentDB) in
	// other zones with automatic failover.
	MultiAZ bool

	PostgresClass string
	// Postgres storage is gp3, allocated at PostgresStorageGB and grown by
	// RDS storage autoscaling up to PostgresMaxStorageGB.
	PostgresStorageGB    int
	PostgresMaxStorageGB int
	RedisNodeType        string
	// RedisNodes counts the primary and its replicas.
	RedisNodes     int
	MongoClass     string
	MongoInstances int
}

// storeSettingsFor is the per-mode table of the managed stores:
//
//	                affordable          balanced             high_availability
//	backups         1 day               7 days               30 days
//	protection      none                none                 deletion protection, final snapshot
//	zones           one                 one                  multi-AZ, automatic failover
//	Postgres        db.t4g.micro        db.t4g.small         db.r6g.large
//	  storage       20 GB gp3 (->100)   20 GB gp3 (->100)    100 GB gp3 (->1000)
//	Redis/Valkey    cache.t4g.micro x1  cache.t4g.small x2   cache.r7g.large x3
//	MongoDB         db.t4g.medium x1    db.t4g.medium x1     db.r6g.large x3
func storeSettingsFor(m mode.Mode) storeModeSettings {
	switch m {
	case mode.HighAvailability:
		return storeModeSettings{BackupRetentionDays: 30, Protected: true, MultiAZ: true,
			PostgresClass: "db.r6g.large", PostgresStorageGB: 100, PostgresMaxStorageGB: 1000,
			RedisNodeType: "cache.r7g.large", RedisNodes: 3, MongoClass: "db.r6g.large", MongoInstances: 3}
	case mode.Balanced:
		return storeModeSettings{BackupRetentionDays: 7,
			PostgresClass: "db.t4g.small", PostgresStorageGB: 20, PostgresMaxStorageGB: 100,
			RedisNodeType: "cache.t4g.small", RedisNodes: 2, MongoClass: "db.t4g.medium", MongoInstances: 1}
	default:
		return storeModeSettings{BackupRetentionDays: 1,
			PostgresClass: "db.t4g.micro", PostgresStorageGB: 20, PostgresMaxStorageGB: 100,
			RedisNodeType: "cache.t4g.micro", RedisNodes: 1, MongoClass: "db.t4g.medium", MongoInstances: 1}
	}
}

// storeFields points at the inputs every managed store has, so that their
// documentation and their reading are written once.
type storeFields struct {
	ProjectName, ServiceName, Mode, Version, FromSnapshot *string
	Port                                                  *int
	AllowDowntime                                         *bool
	VpcId                                                 *pulumi.StringInput
	SubnetIds, ClientSecurityGroupIds                     *pulumi.StringArrayInput
}

func (f storeFields) describe(an infer.Annotator, kind, snapshot string, defaultPort int) {
	an.Describe(f.ProjectName, "The project name, used in resource names.")
	an.Describe(f.ServiceName, "The compose service the store replaces, used in resource names.")
	an.Describe(f.Mode, "Deployment mode: instance sizes, replicas, backups and protection follow it.")
	an.Describe(f.Version, fmt.Sprintf("The %s major version, from the compose image tag.", kind))
	an.Describe(f.FromSnapshot, fmt.Sprintf("The %s to restore the store from when it is created.", snapshot))
	an.Describe(f.Port, fmt.Sprintf("The port the store listens on (default %d).", defaultPort))
	an.Describe(f.AllowDowntime, "Let changes take the store down: they apply immediately, major version upgrades are allowed, and a change that needs a new store deletes and recreates it. Without it, changes wait for the maintenance window and changes that would recreate the store are ignored.")
	an.Describe(f.VpcId, "The VPC of the store's security group.")
	an.Describe(f.SubnetIds, "The private subnets the store runs in.")
	an.Describe(f.ClientSecurityGroupIds, "The security groups allowed to connect, on the store's port only. Nothing else may connect.")
}

// describeOutputs documents the outputs every managed store has; what names
// the store's resource (instance, cluster, replication group).
func describeOutputs(a infer.Annotator, what, endpoint string, e *pulumi.StringOutput, port *pulumi.IntOutput, sg *pulumi.StringOutput) {
	a.Describe(e, "The host name of the "+endpoint+".")
	a.Describe(port, "The port of the "+what+".")
	a.Describe(sg, "The "+what+"'s security group.")
}

const passwordParameterDoc = "The ARN of the SSM SecureString parameter that holds the master password."

// store holds what a managed store's children share while it is built.
type store struct {
	ctx *pulumi.Context
	// name is the component's name; every child's name derives from it.
	name          string
	kind          string // for descriptions and errors: PostgreSQL, Redis, MongoDB
	project       string
	service       string
	fromSnapshot  string
	allowDowntime bool
	settings      storeModeSettings
	parent        pulumi.ResourceOption
	clients       pulumi.StringArray
	names         namer
}

// newStore registers the component comp as typ, then reads the common
// inputs and checks them before anything is created, so that a mistake
// fails the construction with one sentence.
func newStore(ctx *pulumi.Context, typ, name string, comp pulumi.ComponentResource, kind string, f storeFields, opts []pulumi.ResourceOption) (*store, error) {
	if err := ctx.RegisterComponentResource(typ, name, comp, opts...); err != nil {
		return nil, err
	}
	if *f.ProjectName == "" || *f.ServiceName == "" {
		return nil, fmt.Errorf("managed %s %q: projectName and serviceName are required", kind, name)
	}
	m, err := mode.Parse(*f.Mode)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", *f.ServiceName, err)
	}
	clients, err := clientGroups(*f.ClientSecurityGroupIds)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", *f.ServiceName, err)
	}
	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	return &store{ctx: ctx, name: name, kind: kind, project: *f.ProjectName, service: *f.ServiceName,
		fromSnapshot: *f.FromSnapshot, allowDowntime: *f.AllowDowntime, settings: storeSettingsFor(m),
		parent: pulumi.Parent(comp), clients: clients, names: names}, nil
}

// clientGroups returns the client security groups one by one: each gets its
// own ingress rule, so their number must be known when the store is built.
// Go callers pass a pulumi.StringArray; SDK callers a list (of values or
// Outputs), which arrives as one too.
func clientGroups(in pulumi.StringArrayInput) (pulumi.StringArray, error) {
	switch v := in.(type) {
	case nil:
		return nil, nil
	case pulumi.StringArray:
		return v, nil
	}
	return nil, fmt.Errorf("clientSecurityGroupIds must be a list whose length is known when the store is created (a list of ids or of Outputs), not one Output of a list")
}

// physical is a deterministic physical name for the store within max
// characters: project, stack, service and suffixes, lowercase letters,
// digits and hyphens, starting with a letter as RDS, DocumentDB and
// ElastiCache identifiers must.
func (s *store) physical(max int, suffixes ...string) string {
	parts := append([]string{s.project, s.ctx.Stack(), s.service}, suffixes...)
	n := physicalName(max, parts...)
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = physicalName(max, append([]string{"db"}, parts...)...)
	}
	return n
}

// finalSnapshotSuffixBytes is the size of the RandomId in a final snapshot
// identifier: 8 hex characters.
const finalSnapshotSuffixBytes = 4

// named is the store's name of spec's type (identifiers, subnet groups):
// physical, or the stack's pulumi:autonaming pattern applied to it, made to
// fit spec. A store that may be replaced is replaced delete-first
// (options), so a fixed name does not collide with the old one.
func (s *store) named(spec nameSpec, suffixes ...string) string {
	return s.names.name(spec, strings.Join(append([]string{s.name}, suffixes...), "-"), s.physical(spec.rule.Max, suffixes...)).Value
}

// finalSnapshot is what the store keeps when it is deleted: in
// high_availability a final snapshot, otherwise nothing. skip is the
// provider's skipFinalSnapshot.
//
// The snapshot's name must be new for each incarnation of the store: RDS,
// DocumentDB and ElastiCache refuse to delete a store whose final snapshot
// name is taken (RDS DBSnapshotAlreadyExists, "DBSnapshotIdentifier ...
// already exists", https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html;
// DocumentDB DBClusterSnapshotAlreadyExistsFault, https://docs.aws.amazon.com/documentdb/latest/developerguide/API_DeleteDBCluster.html;
// ElastiCache SnapshotAlreadyExistsFault, https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteReplicationGroup.html),
// and snapshots outlive the stack. A fixed <identifier>-final is taken
// after the first destroy, or after a replacement of the store. So the name
// ends in a random.RandomId: kept in state, so that every up plans the same
// name, and renewed exactly when the store is: on a new identifier and,
// with allowDowntime (else those inputs are ignored and never replace the
// store), on a change of replacing, the inputs that recreate the store. A
// destroy deletes the RandomId with the store, and the next up draws a new
// one. The store that is deleted keeps the name in its own state.
func (s *store) finalSnapshot(identifier string, replacing map[string]string) (skip bool, id pulumi.StringPtrInput, err error) {
	if !s.settings.Protected {
		return true, nil, nil
	}
	keepers := pulumi.StringMap{"identifier": pulumi.String(identifier)}
	if s.allowDowntime {
		for k, v := range replacing {
			keepers[k] = pulumi.String(v)
		}
	}
	suffix, err := random.NewRandomId(s.ctx, s.name+"-final-snapshot", &random.RandomIdArgs{
		ByteLength: pulumi.Int(finalSnapshotSuffixBytes),
		Keepers:    keepers,
	}, s.parent)
	if err != nil {
		return false, nil, err
	}
	base := physicalName(maxSnapshotIdentifier-2*finalSnapshotSuffixBytes-1, identifier, "final")
	return false, pulumi.Sprintf("%s-%s", base, suffix.Hex), nil
}

// snapshot is the fromSnapshot input, nil when there is none.
func (s *store) snapshot() pulumi.StringPtrInput {
	if s.fromSnapshot == "" {
		return nil
	}
	return pulumi.String(s.fromSnapshot)
}

func (s *store) description(what string) pulumi.String {
	return pulumi.String(fmt.Sprintf("%s of the managed %s of %s/%s (%s)", what, s.kind, s.project, s.service, s.ctx.Stack()))
}

// options are the resource options of the store itself. allowDowntime means
// a change that needs a new store may delete it and create it again (under
// the same name, so delete first); without it, the inputs whose change
// would recreate the store (replacing) are ignored, so that an edit never
// destroys the data.
func (s *store) options(replacing ...string) []pulumi.ResourceOption {
	if s.allowDowntime {
		return []pulumi.ResourceOption{s.parent, pulumi.DeleteBeforeReplace(true)}
	}
	return []pulumi.ResourceOption{s.parent, pulumi.IgnoreChanges(replacing)}
}

// securityGroup creates the store's security group in vpcID. It has no
// egress rule (a store opens no connection) and its only ingress rules are
// those admit adds.
func (s *store) securityGroup(vpcID pulumi.StringInput) (*ec2.SecurityGroup, error) {
	return ec2.NewSecurityGroup(s.ctx, s.name, &ec2.SecurityGroupArgs{
		Name:        s.names.input(specSecurityGroup, s.name, s.name),
		VpcId:       vpcID,
		Description: pulumi.Sprintf("Managed %s %s: admits its clients on its port", s.kind, s.service),
	}, s.parent)
}

// admit opens port (the store's actual port) on sg to each client security
// group, one rule each; nothing is open to an address range.
func (s *store) admit(sg *ec2.SecurityGroup, port pulumi.IntOutput) error {
	for i, client := range s.clients {
		if _, err := vpc.NewSecurityGroupIngressRule(s.ctx, fmt.Sprintf("%s-client%d", s.name, i), &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           sg.ID(),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  port,
			ToPort:                    port,
			ReferencedSecurityGroupId: client,
			Description:               pulumi.String("From a client of the managed " + s.kind),
		}, s.parent); err != nil {
			return err
		}
	}
	return nil
}

// passwordRule is what an engine accepts as a master password.
type passwordRule struct {
	min, max  int
	forbidden string // besides non-printable and non-ASCII characters
}

func (r passwordRule) check(service, password string) error {
	if len(password) < r.min || len(password) > r.max {
		return fmt.Errorf("service %q: the password must have %d to %d characters", service, r.min, r.max)
	}
	for _, c := range password {
		if c < 0x20 || c > 0x7e || strings.ContainsRune(r.forbidden, c) {
			var chars []string
			for _, f := range r.forbidden {
				chars = append(chars, map[bool]string{true: "spaces", false: string(f)}[f == ' '])
			}
			return fmt.Errorf("service %q: the password must hold printable ASCII characters only, and none of %s", service, strings.Join(chars, " "))
		}
	}
	return nil
}

// password is the store's master password, always secret: the given one
// (checked against rule when it resolves; the error never shows it), or
// when given is nil a generated one. The generated password is a
// random.RandomPassword, whose result stays the same across updates: 32
// letters and digits, which every engine accepts and which need no escaping
// in a connection URL. Either way it is stored in an SSM SecureString
// parameter named /defang/<project>/<stack>/<service>/password, which
// services read as a secret.
func (s *store) password(given pulumi.StringInput, rule passwordRule) (pulumi.StringOutput, *ssm.Parameter, error) {
	var value pulumi.StringOutput
	if given != nil {
		value = given.ToStringOutput().ApplyT(func(p string) (string, error) {
			return p, rule.check(s.service, p)
		}).(pulumi.StringOutput)
	} else {
		generated, err := random.NewRandomPassword(s.ctx, s.name+"-password", &random.RandomPasswordArgs{
			Length: pulumi.Int(32), Special: pulumi.Bool(false),
			MinUpper: pulumi.Int(1), MinLower: pulumi.Int(1), MinNumeric: pulumi.Int(1),
		}, s.parent)
		if err != nil {
			return pulumi.StringOutput{}, nil, err
		}
		value = generated.Result
	}
	value = pulumi.ToSecret(value).(pulumi.StringOutput)
	param, err := ssm.NewParameter(s.ctx, s.name+"-password", &ssm.ParameterArgs{
		Name:        pulumi.String("/defang/" + s.project + "/" + s.ctx.Stack() + "/" + s.service + "/password"),
		Type:        pulumi.String("SecureString"),
		Value:       value,
		Description: s.description("Master password"),
	}, s.parent)
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return value, param, nil
}

// userName is the master user: given, or def when given is empty, checked
// against an engine's rule: a letter, then letters, digits (and underscores
// where allowed), at most 63 characters, and not a name the engine
// reserves. env names the compose variable it comes from.
func (s *store) userName(given, def, engine, env string, underscore bool, reserved ...string) (string, error) {
	user := given
	if user == "" {
		user = def
	}
	if !validDBName(user, underscore) {
		allowed := "letters and digits"
		if underscore {
			allowed = "letters, digits and underscores"
		}
		return "", fmt.Errorf("service %q: %s %q is not a valid %s user name: it must start with a letter and hold at most 63 %s", s.service, env, user, engine, allowed)
	}
	for _, r := range reserved {
		if strings.EqualFold(user, r) {
			return "", fmt.Errorf("service %q: %s %q is a user name that %s reserves; choose another", s.service, env, user, engine)
		}
	}
	return user, nil
}

// validDBName: a letter, then letters, digits (and underscores where
// allowed), at most 63 characters in all.
func validDBName(name string, underscore bool) bool {
	ok := len(name) > 0 && len(name) <= 63 && isLetter(rune(name[0]))
	for _, c := range name {
		ok = ok && (isLetter(c) || (c >= '0' && c <= '9') || (underscore && c == '_'))
	}
	return ok
}

func isLetter(c rune) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// leadingDigits is the major version in a version string: "16" for "16.4".
func leadingDigits(v string) string {
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	return v[:end]
}

// portOr is a store's actual port, or def when the provider reports none.
func portOr(p pulumi.IntPtrOutput, def int) pulumi.IntOutput {
	return p.ApplyT(func(v *int) int {
		if v == nil || *v == 0 {
			return def
		}
		return *v
	}).(pulumi.IntOutput)
}
