package azure

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/dbforpostgresql/v2/v20240801"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Azure Database for PostgreSQL Flexible Server for x-defang-postgres.
//
// # API version
//
// The server and its database are the azure-native resources of the
// 2024-08-01 API (azure-native:dbforpostgresql/v20240801:Server and
// :Database, from the pinned dbforpostgresql SDK module v2.88.0). The
// module's default API (2022-12-01) knows PostgreSQL 11 to 14 only and has
// no publicNetworkAccess switch; 2024-08-01 is the newest stable API of the
// module and offers 11 to 16 (17 exists only in the 2024-11-01-preview
// API). So the major version from the image tag must be 11 to 16; without
// one it is 16.
//
// # Network
//
// The server is VNet-injected: it runs in the databases subnet (delegated to
// Microsoft.DBforPostgreSQL/flexibleServers) and registers its name in the
// given private DNS zone (one whose name ends in .postgres.database.azure.com,
// linked to the VNet), with public network access disabled. Its FQDN
// <server>.postgres.database.azure.com resolves to the private address from
// inside the VNet only.
//
// # Admin user and password
//
// The admin login is POSTGRES_USER (default postgres); Azure refuses
// azure_superuser, azure_pg_admin, azuresu, admin, administrator, root,
// guest, public and names starting with pg_. The password is
// POSTGRES_PASSWORD, checked against Azure's rule (8 to 128 characters from
// at least three of: uppercase, lowercase, digits, symbols), or a generated
// one: a random.RandomPassword of 32 letters and digits (stable across
// updates) in which any three consecutive characters that also appear in the
// login name are broken with a '-' (Azure refuses a password that contains
// part of the login). Either way it is secret; the component hands it to the
// Project (AdminPassword, Go only) to store in Key Vault.
//
// # Database
//
// POSTGRES_DB (default the user name, as the postgres image does) is
// created as a database of the server unless it is "postgres", which
// always exists.

const (
	postgresPort           = 5432
	postgresDefaultVersion = 16
	postgresMinVersion     = 11
	postgresMaxVersion     = 16
	postgresDefaultUser    = "postgres"
)

// postgresReservedUsers are the admin logins Azure refuses (besides names
// starting with pg_).
var postgresReservedUsers = []string{"azure_superuser", "azure_pg_admin", "azuresu", "admin", "administrator", "root", "guest", "public"}

// postgresReservedDatabases are databases Azure keeps for itself.
var postgresReservedDatabases = []string{"azure_maintenance", "azure_sys", "template0", "template1"}

// ManagedPostgresArgs are the inputs of defang:azure:ManagedPostgres.
type ManagedPostgresArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`
	// Version is the major version from the image tag ("16"); default 16.
	Version  string             `pulumi:"version,optional"`
	Username string             `pulumi:"username,optional"`
	Database string             `pulumi:"database,optional"`
	Password pulumi.StringInput `pulumi:"password,optional" provider:"secret"`

	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          string             `pulumi:"location,optional"`
	DelegatedSubnetId pulumi.StringInput `pulumi:"delegatedSubnetId"`
	PrivateDnsZoneId  pulumi.StringInput `pulumi:"privateDnsZoneId"`
}

func (a *ManagedPostgresArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.ServiceName, "The compose service the server replaces, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: SKU, storage, backup retention and zone-redundant high availability follow it.")
	an.Describe(&a.Version, "The PostgreSQL major version, from the compose image tag (11 to 16; default 16).")
	an.Describe(&a.Username, "The admin login (POSTGRES_USER, default postgres).")
	an.Describe(&a.Database, "The database to create (POSTGRES_DB, default the user name).")
	an.Describe(&a.Password, "The admin password (POSTGRES_PASSWORD). When unset, a random password is generated once and kept across updates.")
	an.Describe(&a.ResourceGroupName, "The resource group of the server.")
	an.Describe(&a.Location, "The Azure region; default the resource group's.")
	an.Describe(&a.DelegatedSubnetId, "The subnet the server is injected into, delegated to Microsoft.DBforPostgreSQL/flexibleServers.")
	an.Describe(&a.PrivateDnsZoneId, "The private DNS zone (…postgres.database.azure.com, linked to the VNet) that resolves the server's name.")
}

// ManagedPostgres is defang:azure:ManagedPostgres.
type ManagedPostgres struct {
	pulumi.ResourceState

	Fqdn       pulumi.StringOutput `pulumi:"fqdn"`
	Port       pulumi.IntOutput    `pulumi:"port"`
	ServerName pulumi.StringOutput `pulumi:"serverName"`
	Username   pulumi.StringOutput `pulumi:"username"`
	Database   pulumi.StringOutput `pulumi:"database"`

	password pulumi.StringOutput
}

// AdminPassword is the server's admin password, secret: for the Project to
// store in Key Vault. It is not an output of the component.
func (m *ManagedPostgres) AdminPassword() pulumi.StringOutput { return m.password }

func (m *ManagedPostgres) Annotate(a infer.Annotator) {
	a.SetToken("azure", "ManagedPostgres")
	a.Describe(&m, "A compose service with x-defang-postgres as Azure Database for PostgreSQL Flexible Server: injected into a delegated subnet with private DNS and no public access, sized per mode (zone-redundant high availability in high_availability).")
	a.Describe(&m.Fqdn, "The server's host name, resolvable inside the VNet.")
	a.Describe(&m.Port, "The server's port (5432).")
	a.Describe(&m.ServerName, "The server's name.")
	a.Describe(&m.Username, "The admin login.")
	a.Describe(&m.Database, "The database clients use.")
}

// NewManagedPostgres creates a PostgreSQL Flexible Server.
func NewManagedPostgres(ctx *pulumi.Context, name string, args ManagedPostgresArgs, opts ...pulumi.ResourceOption) (*ManagedPostgres, error) {
	comp := &ManagedPostgres{}
	if err := ctx.RegisterComponentResource("defang:azure:ManagedPostgres", name, comp, opts...); err != nil {
		return nil, err
	}
	if args.ProjectName == "" || args.ServiceName == "" {
		return nil, fmt.Errorf("managed PostgreSQL %q: projectName and serviceName are required", name)
	}
	if args.ResourceGroupName == nil || args.DelegatedSubnetId == nil || args.PrivateDnsZoneId == nil {
		return nil, fmt.Errorf("service %q: resourceGroupName, delegatedSubnetId and privateDnsZoneId are required", args.ServiceName)
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", args.ServiceName, err)
	}
	s := settingsFor(m)
	suffix, err := globalSuffix(ctx, comp, args.Location)
	if err != nil {
		return nil, err
	}
	version, err := postgresVersion(args.ServiceName, args.Version)
	if err != nil {
		return nil, err
	}
	user, err := postgresUser(args.ServiceName, args.Username)
	if err != nil {
		return nil, err
	}
	database := args.Database
	if database == "" {
		database = user
	}
	if err := checkPostgresDatabase(args.ServiceName, database); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	password, err := postgresAdminPassword(ctx, name, args.ServiceName, user, args.Password, parent)
	if err != nil {
		return nil, err
	}

	ha := v20240801.HighAvailabilityModeDisabled
	if s.PostgresHA {
		ha = v20240801.HighAvailabilityModeZoneRedundant
	}
	serverArgs := &v20240801.ServerArgs{
		ServerName:                 pulumi.String(named(ctx, tokenPostgresServer, dashedName(maxPostgresServer, args.ProjectName, ctx.Stack(), args.ServiceName, suffix), withMin(dashedRule(maxPostgresServer), 3))),
		ResourceGroupName:          args.ResourceGroupName,
		Version:                    pulumi.String(strconv.Itoa(version)),
		AdministratorLogin:         pulumi.String(user),
		AdministratorLoginPassword: password.ToStringPtrOutput(),
		AuthConfig: &v20240801.AuthConfigArgs{
			PasswordAuth:        pulumi.String(string(v20240801.PasswordAuthEnumEnabled)),
			ActiveDirectoryAuth: pulumi.String(string(v20240801.ActiveDirectoryAuthEnumDisabled)),
		},
		Sku: &v20240801.SkuArgs{Name: pulumi.String(s.PostgresSku), Tier: pulumi.String(s.PostgresTier)},
		Storage: &v20240801.StorageArgs{
			StorageSizeGB: pulumi.Int(s.PostgresStorageGB),
			AutoGrow:      pulumi.String(string(v20240801.StorageAutoGrowEnabled)),
		},
		Backup: &v20240801.BackupTypeArgs{
			BackupRetentionDays: pulumi.Int(s.PostgresBackupDays),
			GeoRedundantBackup:  pulumi.String(string(v20240801.GeoRedundantBackupEnumDisabled)),
		},
		HighAvailability: &v20240801.HighAvailabilityArgs{Mode: pulumi.String(string(ha))},
		Network: &v20240801.NetworkArgs{
			DelegatedSubnetResourceId:   args.DelegatedSubnetId.ToStringOutput().ToStringPtrOutput(),
			PrivateDnsZoneArmResourceId: args.PrivateDnsZoneId.ToStringOutput().ToStringPtrOutput(),
			PublicNetworkAccess:         pulumi.String(string(v20240801.ServerPublicNetworkAccessStateDisabled)),
		},
	}
	if args.Location != "" {
		serverArgs.Location = pulumi.String(args.Location)
	}
	// The admin login cannot change once the server exists: a new
	// POSTGRES_USER would replace the server and lose its data, so it is
	// ignored, and the username output reports the server's actual login.
	// A server name now derived differently (our naming, or the stack's
	// pulumi:autonaming) must not replace a server that holds data.
	server, err := v20240801.NewServer(ctx, name, serverArgs, parent, pulumi.IgnoreChanges([]string{"administratorLogin", "serverName"}))
	if err != nil {
		return nil, err
	}
	if database != "postgres" {
		if _, err := v20240801.NewDatabase(ctx, name, &v20240801.DatabaseArgs{
			DatabaseName:      pulumi.String(database),
			ServerName:        server.Name,
			ResourceGroupName: args.ResourceGroupName,
		}, parent); err != nil {
			return nil, err
		}
	}

	comp.Fqdn = server.FullyQualifiedDomainName
	comp.Port = pulumi.Int(postgresPort).ToIntOutput()
	comp.ServerName = server.Name
	comp.Username = server.AdministratorLogin.ApplyT(func(login *string) string {
		if login == nil || *login == "" {
			return user
		}
		return *login
	}).(pulumi.StringOutput)
	comp.Database = pulumi.String(database).ToStringOutput()
	comp.password = password
	return comp, outputs.Register(ctx, comp)
}

// postgresVersion is the major version in v (the image tag: "16",
// "16.4-alpine", "pg16"), or the default when v names none.
func postgresVersion(service, v string) (int, error) {
	start := strings.IndexFunc(v, func(r rune) bool { return r >= '0' && r <= '9' })
	if start < 0 {
		return postgresDefaultVersion, nil
	}
	end := start
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	major, err := strconv.Atoi(v[start:end])
	if err != nil || major < postgresMinVersion || major > postgresMaxVersion {
		return 0, fmt.Errorf("service %q: PostgreSQL %s is not offered by Azure Database for PostgreSQL Flexible Server (API 2024-08-01 offers versions %d to %d); use an image tag in that range",
			service, v[start:end], postgresMinVersion, postgresMaxVersion)
	}
	return major, nil
}

// postgresUser is the admin login: given or postgres, checked against
// Azure's rule.
func postgresUser(service, given string) (string, error) {
	user := given
	if user == "" {
		user = postgresDefaultUser
	}
	if !validPostgresName(user, false) {
		return "", fmt.Errorf("service %q: POSTGRES_USER %q is not a valid Azure PostgreSQL admin login: it must start with a letter or underscore and hold at most 63 letters, digits and underscores", service, user)
	}
	lower := strings.ToLower(user)
	if strings.HasPrefix(lower, "pg_") {
		return "", fmt.Errorf("service %q: POSTGRES_USER %q starts with pg_, which Azure PostgreSQL reserves; choose another", service, user)
	}
	for _, r := range postgresReservedUsers {
		if lower == r {
			return "", fmt.Errorf("service %q: POSTGRES_USER %q is a login that Azure PostgreSQL reserves; choose another", service, user)
		}
	}
	return user, nil
}

func checkPostgresDatabase(service, database string) error {
	if !validPostgresName(database, true) {
		return fmt.Errorf("service %q: POSTGRES_DB %q is not a database name Azure PostgreSQL accepts: it must start with a letter or underscore and hold at most 63 letters, digits, underscores and hyphens", service, database)
	}
	for _, r := range postgresReservedDatabases {
		if strings.EqualFold(database, r) {
			return fmt.Errorf("service %q: POSTGRES_DB %q is a database that Azure PostgreSQL reserves; choose another", service, database)
		}
	}
	return nil
}

func validPostgresName(name string, hyphen bool) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for i, c := range name {
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
		switch {
		case letter:
		case i > 0 && c >= '0' && c <= '9':
		case i > 0 && hyphen && c == '-':
		default:
			return false
		}
	}
	return true
}

// postgresAdminPassword is the admin password, always secret: the given one
// (checked when it resolves; the error never shows it) or a generated one
// (see the package comment above).
func postgresAdminPassword(ctx *pulumi.Context, name, service, user string, given pulumi.StringInput, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	var value pulumi.StringOutput
	if given != nil {
		value = given.ToStringOutput().ApplyT(func(p string) (string, error) {
			return p, checkPostgresPassword(service, p)
		}).(pulumi.StringOutput)
	} else {
		generated, err := random.NewRandomPassword(ctx, name+"-password", &random.RandomPasswordArgs{
			Length: pulumi.Int(32), Special: pulumi.Bool(false),
			MinUpper: pulumi.Int(1), MinLower: pulumi.Int(1), MinNumeric: pulumi.Int(1),
		}, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		value = generated.Result.ApplyT(func(p string) string { return avoidLogin(p, user) }).(pulumi.StringOutput)
	}
	return pulumi.ToSecret(value).(pulumi.StringOutput), nil
}

// checkPostgresPassword is Azure's password rule: 8 to 128 printable ASCII
// characters from at least three of uppercase letters, lowercase letters,
// digits and symbols.
func checkPostgresPassword(service, p string) error {
	var upper, lower, digit, symbol bool
	for _, c := range p {
		switch {
		case c < 0x20 || c > 0x7e:
			return fmt.Errorf("service %q: POSTGRES_PASSWORD: the PostgreSQL password must hold printable ASCII characters only", service)
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if len(p) < 8 || len(p) > 128 || classes < 3 {
		return fmt.Errorf("service %q: POSTGRES_PASSWORD: Azure PostgreSQL needs a password of 8 to 128 characters from at least three of: uppercase letters, lowercase letters, digits, symbols", service)
	}
	return nil
}

// avoidLogin breaks, with a '-', every run of three characters of password
// that also appears (case-insensitively) in login: Azure refuses a password
// that contains part of the login name. The result is a function of its
// inputs, so a stable generated password stays stable.
func avoidLogin(password, login string) string {
	lower := strings.ToLower(login)
	b := []byte(password)
	for i := 0; i+3 <= len(b); i++ {
		if strings.Contains(lower, strings.ToLower(string(b[i:i+3]))) {
			b[i+2] = '-'
		}
	}
	return string(b)
}
