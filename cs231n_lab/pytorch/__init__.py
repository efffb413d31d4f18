"""Tier C - the PyTorch half of the course (Lecture 8 and the torch versions of L7 tools).

Import the module you need:

    device        pick CUDA / MPS / CPU; bf16 autocast; channels_last; torch.compile; seeds
    data          DeviceData (in-memory, on-device, batched by index) and LoaderData (DataLoader)
    loop          fit(...) - the training loop with named hooks; evaluate(...)
    callbacks     EarlyStopping, Checkpoint, EMA, MetricLogger
    checkpoint    atomic, checksummed save/resume of a whole run
    distributed   DistributedDataParallel under torchrun (NCCL on GPUs, gloo on CPUs)
    models        ConvNet: small conv nets with batch norm
    transfer      freeze / unfreeze / replace_head / param_groups; the shipped pretrained backbone
"""
