package azure

import "github.com/DefangLabs/pulumi-defang/provider/mode"

// modeSettings is DESIGN.md section 5 for Azure: every per-mode choice in
// one place, so that the components read a table rather than branch.
type modeSettings struct {
	// MinReplicas of a Container App (0 lets an idle app scale to zero in
	// affordable); MaxReplicaFactor bounds x-defang-autoscaling.
	MinReplicas      int
	MaxReplicaFactor int
	// LogRetentionDays of the Log Analytics workspace (30 is its minimum on
	// the PerGB2018 tier).
	LogRetentionDays int
	// ZoneRedundant Container Apps environment and databases.
	ZoneRedundant bool
	// Postgres Flexible Server: SKU name and tier, storage, backups, HA.
	PostgresSku, PostgresTier string
	PostgresStorageGB         int
	PostgresBackupDays        int
	PostgresHA                bool
	// Azure Managed Redis SKU and high availability.
	RedisSku string
	RedisHA  bool
	// ACR SKU: Basic or Premium (geo/zone redundancy).
	RegistrySku string
}

func settingsFor(m mode.Mode) modeSettings {
	switch m {
	case mode.HighAvailability:
		return modeSettings{MinReplicas: 2, MaxReplicaFactor: 10, LogRetentionDays: 90, ZoneRedundant: true,
			PostgresSku: "Standard_D2ds_v5", PostgresTier: "GeneralPurpose", PostgresStorageGB: 128, PostgresBackupDays: 30, PostgresHA: true,
			RedisSku: "Balanced_B5", RedisHA: true, RegistrySku: "Premium"}
	case mode.Balanced:
		return modeSettings{MinReplicas: 1, MaxReplicaFactor: 4, LogRetentionDays: 30,
			PostgresSku: "Standard_B2s", PostgresTier: "Burstable", PostgresStorageGB: 32, PostgresBackupDays: 7,
			RedisSku: "Balanced_B0", RegistrySku: "Basic"}
	default:
		return modeSettings{MinReplicas: 0, MaxReplicaFactor: 2, LogRetentionDays: 30,
			PostgresSku: "Standard_B1ms", PostgresTier: "Burstable", PostgresStorageGB: 32, PostgresBackupDays: 7,
			RedisSku: "Balanced_B0", RegistrySku: "Basic"}
	}
}
