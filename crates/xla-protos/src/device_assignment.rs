//! Device assignments and the compile options built on them: what every program compiled for more
//! than one device needs.
//!
//! XLA runs a program as `replicas × partitions` copies and must know which device runs each. A
//! [`DeviceAssignmentProto`] holds, for each partition (XLA's "computation"), the device id of
//! each replica. Counts travel as `i32` in the message, so larger ones are refused here rather than
//! truncated.

use crate::xla::device_assignment_proto::ComputationDevice;
use crate::xla::{CompileOptionsProto, DeviceAssignmentProto, ExecutableBuildOptionsProto};

/// Why a device assignment cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceAssignmentError {
    /// A program runs at least once: replicas and partitions must be at least 1.
    #[error("expected at least one {what}, found 0")]
    Zero {
        /// `"replica"` or `"partition"`.
        what: &'static str,
    },
    /// The message stores counts as `i32`.
    #[error("expected at most {max} {what}s (the message stores an i32), found {found}", max = i32::MAX)]
    TooMany {
        /// `"replica"` or `"partition"`.
        what: &'static str,
        /// The count asked for.
        found: usize,
    },
}

fn count(what: &'static str, found: usize) -> Result<i32, DeviceAssignmentError> {
    match i32::try_from(found) {
        Ok(0) => Err(DeviceAssignmentError::Zero { what }),
        Ok(count) => Ok(count),
        Err(_) => Err(DeviceAssignmentError::TooMany { what, found }),
    }
}

impl DeviceAssignmentProto {
    /// The assignment running replica `r` of partition `p` on device `device(r, p)` (a global
    /// device id, as `PJRT_Device_GetDescription`'s `PJRT_DeviceDescription_Id` reports it).
    pub fn from_fn(
        replicas: usize,
        partitions: usize,
        mut device: impl FnMut(usize, usize) -> i64,
    ) -> Result<Self, DeviceAssignmentError> {
        let replica_count = count("replica", replicas)?;
        let computation_count = count("partition", partitions)?;
        let computation_devices = (0..partitions)
            .map(|p| ComputationDevice { replica_device_ids: (0..replicas).map(|r| device(r, p)).collect() })
            .collect();
        Ok(Self { replica_count, computation_count, computation_devices })
    }

    /// Devices `0..replicas * partitions` in order, replica-major: replica `r` of partition `p`
    /// runs on device `r * partitions + p`. This is the PJRT CPU client's default assignment
    /// (`PJRT_Client_DefaultDeviceAssignment`) when the devices are numbered from 0; other clients
    /// may choose differently, and their default is the one to ask for when it matters.
    pub fn in_order(replicas: usize, partitions: usize) -> Result<Self, DeviceAssignmentError> {
        Self::from_fn(replicas, partitions, |r, p| (r * partitions + p) as i64)
    }

    /// The device replica `replica` of partition `partition` runs on, or `None` when the
    /// assignment has no such replica or partition (or is malformed there).
    pub fn device(&self, replica: usize, partition: usize) -> Option<i64> {
        self.computation_devices.get(partition)?.replica_device_ids.get(replica).copied()
    }
}

impl CompileOptionsProto {
    /// Options compiling for the replicas and partitions of `assignment` on its devices: the
    /// counts and the assignment in [`ExecutableBuildOptionsProto`], and SPMD partitioning when
    /// there is more than one partition (how sharded StableHLO programs are partitioned). Every
    /// other option keeps its default, which the plugin fills in.
    ///
    /// Setting `debug_options` afterwards replaces all of XLA's defaults, not just the fields set:
    /// start from the plugin's (the `config.debug_options` of the optimized program of any
    /// executable it compiled, an [`HloModuleProtoWithConfig`](crate::xla::HloModuleProtoWithConfig)),
    /// not from `DebugOptions::default()`, whose zeros the plugin refuses or obeys.
    pub fn for_device_assignment(assignment: DeviceAssignmentProto) -> Self {
        let build = ExecutableBuildOptionsProto {
            num_replicas: assignment.replica_count.into(),
            num_partitions: assignment.computation_count.into(),
            use_spmd_partitioning: assignment.computation_count > 1,
            device_assignment: Some(assignment),
            ..Default::default()
        };
        Self { executable_build_options: Some(build), ..Default::default() }
    }

    /// Options for `replicas` replicas and `partitions` partitions on the devices
    /// [`DeviceAssignmentProto::in_order`] picks; see [`Self::for_device_assignment`].
    pub fn for_replicas_and_partitions(replicas: usize, partitions: usize) -> Result<Self, DeviceAssignmentError> {
        Ok(Self::for_device_assignment(DeviceAssignmentProto::in_order(replicas, partitions)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_is_replica_major() {
        let assignment = DeviceAssignmentProto::in_order(3, 2).unwrap();
        assert_eq!((assignment.replica_count, assignment.computation_count), (3, 2));
        let table: Vec<Vec<i64>> = (0..3).map(|r| (0..2).map(|p| assignment.device(r, p).unwrap()).collect()).collect();
        assert_eq!(table, [[0, 1], [2, 3], [4, 5]]);
        assert_eq!(assignment.device(3, 0), None);
        assert_eq!(assignment.device(0, 2), None);
    }

    #[test]
    fn from_fn_stores_partitions_as_computations_of_replica_devices() {
        let assignment = DeviceAssignmentProto::from_fn(2, 3, |r, p| 10 * p as i64 + r as i64).unwrap();
        let stored: Vec<_> = assignment.computation_devices.iter().map(|c| c.replica_device_ids.clone()).collect();
        assert_eq!(stored, [[0, 1], [10, 11], [20, 21]]);
    }

    #[test]
    fn counts_must_fit_the_message() {
        assert_eq!(DeviceAssignmentProto::in_order(0, 1), Err(DeviceAssignmentError::Zero { what: "replica" }));
        assert_eq!(DeviceAssignmentProto::in_order(1, 0), Err(DeviceAssignmentError::Zero { what: "partition" }));
        let too_many = i32::MAX as usize + 1;
        assert_eq!(
            DeviceAssignmentProto::from_fn(1, too_many, |_, _| 0),
            Err(DeviceAssignmentError::TooMany { what: "partition", found: too_many })
        );
    }

    #[test]
    fn compile_options_carry_counts_assignment_and_spmd_for_partitions() {
        let single = CompileOptionsProto::for_replicas_and_partitions(4, 1).unwrap();
        let build = single.executable_build_options.unwrap();
        assert_eq!((build.num_replicas, build.num_partitions, build.use_spmd_partitioning), (4, 1, false));
        assert_eq!(build.device_assignment, Some(DeviceAssignmentProto::in_order(4, 1).unwrap()));

        let sharded = CompileOptionsProto::for_replicas_and_partitions(1, 2).unwrap();
        let build = sharded.executable_build_options.unwrap();
        assert_eq!((build.num_replicas, build.num_partitions, build.use_spmd_partitioning), (1, 2, true));
    }
}
