// SPDX-License-Identifier: GPL-2.0
/*
 * An FF-A driver for the MM partition's UUID (gEfiSmmVariableProtocolGuid). The Linux 6.1 driver
 * negotiates FF-A v1.0, whose partition descriptors carry no UUID: its bus learns a device's UUID
 * only when a driver for that UUID registers, by FFA_PARTITION_INFO_GET with the UUID. Loading
 * this module makes that call; probe then logs the partition and the UUID the bus matched.
 */
#include <linux/arm_ffa.h>
#include <linux/module.h>

static const struct ffa_device_id swiftfw_mm_ids[] = {
	{ UUID_INIT(0xed32d533, 0x99e6, 0x4209,
		    0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7) },
	{}
};

static int swiftfw_mm_probe(struct ffa_device *dev)
{
	dev_info(&dev->dev, "swiftfw-mm: partition 0x%04x uuid %pUb\n", dev->vm_id, &dev->uuid);
	return 0;
}

static void swiftfw_mm_remove(struct ffa_device *dev)
{
}

static struct ffa_driver swiftfw_mm_driver = {
	.name = "swiftfw-mm",
	.probe = swiftfw_mm_probe,
	.remove = swiftfw_mm_remove,
	.id_table = swiftfw_mm_ids,
};
module_ffa_driver(swiftfw_mm_driver);

MODULE_DESCRIPTION("Binds the MM partition of the swift-ffa-firmware SPMC by UUID");
MODULE_LICENSE("GPL");
