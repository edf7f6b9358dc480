#!/usr/bin/python3
"""Export torchvision CNN architectures to ONNX for Shears benchmarks and tests.

For every selected architecture four ONNX files are written::

    {arch}-op{13|17}-{bnfold|bnkeep}.onnx

* ``bnfold``: ``model.eval()`` + ``torch.onnx.export(training=TrainingMode.EVAL,
  do_constant_folding=True)``.  torch's eval peephole pass folds every
  BatchNorm that directly follows a Conv into that Conv.  DenseNet's
  pre-activation BNs (BN -> ReLU -> Conv: norm1 of each dense layer, the
  transition norms and norm5, 62 in densenet121) cannot be folded and stay as
  BatchNormalization nodes; all other models have none.  The script verifies
  that no BatchNormalization fed by a Conv is left.
* ``bnkeep``: ``model.eval()`` + ``torch.onnx.export(training=TrainingMode.PRESERVE,
  do_constant_folding=False)``.  With PRESERVE the eval peephole pass (which does
  the Conv+BN fusion) is skipped, so every ``nn.BatchNorm2d`` becomes one ONNX
  ``BatchNormalization`` node (inference form, running stats, 1 output).  The
  script verifies that the number of BatchNormalization nodes equals the number
  of ``nn.BatchNorm2d`` modules.  PRESERVE alone is what keeps the BNs;
  ``do_constant_folding=False`` only avoids torch's "turn off constant folding"
  warning (with True the exported bytes are identical).  Apart from the BN nodes
  (and the bias a folded Conv gains) bnkeep and bnfold graphs are the same.

Sizes (``--size``):

* ``full``  -- the real torchvision architecture (``torchvision.models.<arch>(weights=None)``),
  1x3x224x224 input, 1000 classes.  Written to ``bench/models/out/`` (git-ignored).
* ``small`` -- the same topology (same blocks, block counts, ops, residual / concat /
  SE / depthwise / flatten structure) with reduced channel widths, 10 classes and
  a 1x3x64x64 input (vgg11_bn: 1x3x224x224, see below).  Written to
  ``src/test/resources/models/torchvision/`` together with ``manifest.json``.
  Use ``--check-topology`` to verify that each small graph equals the
  corresponding full graph (same nodes in the same order, same edges, same
  kernel/stride/pad/dilation/axis attributes; BatchNormalization and Constant
  nodes are skipped, channel counts / group sizes / spatial sizes may differ).

  vgg11_bn uses 224x224 even when small: torch 1.13 can only export
  ``AdaptiveAvgPool2d((7, 7))`` when the incoming feature map is a multiple of 7
  ("output size that are not factor of input size"); at 64x64 the map is 2x2.
  At 224 the map is 7x7, exactly as in the full model.  Input size does not
  change the file size (weights only).

Determinism / seeds:

* ``torch.manual_seed(0)`` immediately before building every model (weights use
  torchvision's own init scheme).
* BatchNorm parameters and Conv/Linear biases are then randomised with a
  ``torch.Generator`` seeded with 1, visiting modules in ``model.modules()`` order:
  BN weight ~ U(0.5, 1.5), bias ~ U(-0.25, 0.25), running_mean ~ U(-0.25, 0.25),
  running_var ~ U(0.5, 1.5); Conv/Linear bias (where present) ~ U(-0.1, 0.1).
  This makes BN a non-identity (bnfold and bnkeep files differ in their weights,
  bn-scale importance is not degenerate).  Random biases also keep torch 1.13's
  initializer de-duplication from sharing all-zero biases between layers through
  Identity nodes.  The script fails if any exported graph contains Identity.
* The example input used for tracing comes from a generator seeded with 2.
  It does not influence the exported graph.

Re-running the script produces byte-identical files.

I/O: input ``input`` [batch, 3, H, W], output ``logits`` [batch, classes];
the batch dimension is dynamic (``batch``), spatial size is fixed.

No weights are ever downloaded (``weights=None`` everywhere).
Needs Debian packages python3-torch (1.13), python3-torchvision (0.14), python3-onnx (1.12).
"""

import argparse
import collections
import io
import json
import os
import sys
import time
import warnings

import torch
import torch.nn as nn
import torchvision
from torchvision.models import (convnext, densenet, efficientnet, mobilenetv2, mobilenetv3, regnet, resnet,
                                squeezenet, swin_transformer, vgg, vision_transformer)
from torchvision.ops.misc import Conv2dNormActivation

import onnx

import hub_models

ARCHS = [
    "resnet18",
    "resnet50",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "efficientnet_b0",
    "densenet121",
    "vgg11_bn",
    "squeezenet1_1",
]
# Transformer-style architectures (--family transformer): no BatchNorm, so one file per opset,
# {arch}-op{13|17}.onnx.  At opset 17 torch writes LayerNormalization; at 13 it decomposes it into
# ReduceMean, Sub, Pow, Add, Sqrt, Div, Mul, Add, as older exporters do.
TRANSFORMER_ARCHS = ["vit", "convnext", "swin"]
TRANSFORMER_FULL = {"vit": "vit_b_16", "convnext": "convnext_tiny", "swin": "swin_t"}
# Grouped-convolution architectures (--family grouped): BatchNorm CNNs like the cnn family (the same four files per
# architecture) whose 3x3 convolutions are grouped and not depthwise.  Small ones go into
# src/test/resources/models/grouped.
GROUPED_ARCHS = ["resnext", "regnet"]
GROUPED_FULL = {"resnext": "resnext50_32x4d", "regnet": "regnet_y_400mf"}
# Hub-style transformers (--family hub), written in hub_models.py: exported like the transformer family.
HUB_ARCHS = hub_models.ARCHS
FAMILIES = {"cnn": ARCHS, "transformer": TRANSFORMER_ARCHS, "grouped": GROUPED_ARCHS, "hub": HUB_ARCHS}
OPSETS = [13, 17]
BN_MODES = ["fold", "keep"]

MODEL_SEED = 0
PARAM_SEED = 1
INPUT_SEED = 2

FULL_CLASSES = 1000
SMALL_CLASSES = 10
FULL_HW = 224
SMALL_HW = {arch: 64 for arch in ARCHS}
SMALL_HW["vgg11_bn"] = 224  # AdaptiveAvgPool2d((7,7)) needs a 7x7-multiple feature map for ONNX export
SMALL_HW.update({arch: 32 for arch in TRANSFORMER_ARCHS + HUB_ARCHS})
SMALL_HW.update({arch: 64 for arch in GROUPED_ARCHS})

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = {
    "full": os.path.join(REPO_ROOT, "bench", "models", "out"),
    "small": os.path.join(REPO_ROOT, "src", "test", "resources", "models", "torchvision"),
}
DEFAULT_TRANSFORMER_OUT = {
    "full": DEFAULT_OUT["full"],
    "small": os.path.join(REPO_ROOT, "src", "test", "resources", "models", "transformers"),
}
DEFAULT_GROUPED_OUT = {
    "full": DEFAULT_OUT["full"],
    "small": os.path.join(REPO_ROOT, "src", "test", "resources", "models", "grouped"),
}
DEFAULT_HUB_OUT = {
    "full": DEFAULT_OUT["full"],
    "small": os.path.join(REPO_ROOT, "src", "test", "resources", "models", "hub"),
}
FAMILY_OUT = {"cnn": DEFAULT_OUT, "transformer": DEFAULT_TRANSFORMER_OUT, "grouped": DEFAULT_GROUPED_OUT,
              "hub": DEFAULT_HUB_OUT}


# --------------------------------------------------------------------------------------
# Narrow ("small") variants.  Each class inherits forward() from the torchvision class
# and builds its layers exactly like the torchvision __init__, only with other widths.
# --------------------------------------------------------------------------------------


class NarrowResNet(resnet.ResNet):
    """torchvision ResNet with configurable stem/stage widths (torchvision hardcodes 64/64/128/256/512)."""

    def __init__(self, block, layers, widths, num_classes, groups=1, width_per_group=64):
        nn.Module.__init__(self)
        stem, w1, w2, w3, w4 = widths
        norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = stem
        self.dilation = 1
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, w1, layers[0])
        self.layer2 = self._make_layer(block, w2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, w3, layers[2], stride=2)
        self.layer4 = self._make_layer(block, w4, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(w4 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


class NarrowVGG(vgg.VGG):
    """torchvision VGG with a narrower classifier (torchvision hardcodes 512*7*7 -> 4096 -> 4096)."""

    def __init__(self, features, feat_channels, hidden, num_classes, dropout=0.5):
        nn.Module.__init__(self)
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(feat_channels * 7 * 7, hidden),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(hidden, num_classes),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.constant_(m.bias, 0)


class NarrowSqueezeNet(squeezenet.SqueezeNet):
    """torchvision SqueezeNet 1.1 layout with configurable stem and Fire sizes."""

    def __init__(self, stem, fires, num_classes, dropout=0.5):
        # fires: 8 tuples (squeeze, expand) in squeezenet1_1 order; expand1x1 == expand3x3 == expand
        nn.Module.__init__(self)
        self.num_classes = num_classes
        F = squeezenet.Fire
        ch = [stem] + [2 * e for _, e in fires]
        mods = [
            nn.Conv2d(3, stem, kernel_size=3, stride=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
        ]
        for i, (s, e) in enumerate(fires):
            if i in (2, 4):  # squeezenet1_1 has MaxPools before Fire #3 and Fire #5
                mods.append(nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True))
            mods.append(F(ch[i], s, e, e))
        self.features = nn.Sequential(*mods)
        final_conv = nn.Conv2d(ch[-1], self.num_classes, kernel_size=1)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1))
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is final_conv:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)


class NarrowMobileNetV2(mobilenetv2.MobileNetV2):
    """torchvision MobileNetV2 with configurable stem / per-stage / last channels.

    torchvision hardcodes the stem (32*width_mult) and last conv (1280 for width_mult <= 1);
    the stage (t, n, s) settings are kept, only c changes.
    """

    def __init__(self, stem, setting, last_channel, num_classes, dropout=0.2):
        nn.Module.__init__(self)
        block = mobilenetv2.InvertedResidual
        norm_layer = nn.BatchNorm2d
        input_channel = stem
        self.last_channel = last_channel
        features = [Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer, activation_layer=nn.ReLU6)]
        for t, c, n, s in setting:
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(block(input_channel, c, stride, expand_ratio=t, norm_layer=norm_layer))
                input_channel = c
        features.append(
            Conv2dNormActivation(
                input_channel, self.last_channel, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.ReLU6
            )
        )
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)


def build_small(arch, num_classes=SMALL_CLASSES):
    """Narrow variants.  Every width that is a multiple of 8 in the original stays one here."""
    if arch in HUB_ARCHS:
        return hub_models.build(arch, "small", num_classes)
    if arch == "resnet18":
        # original widths 64, 64,128,256,512 (stem == layer1 -> no downsample in layer1, kept)
        return NarrowResNet(resnet.BasicBlock, [2, 2, 2, 2], (16, 16, 24, 32, 48), num_classes)
    if arch == "resnet50":
        # original stem 64, planes 64,128,256,512 (outputs x4); stem != 4*planes1 -> downsample in layer1, kept
        return NarrowResNet(resnet.Bottleneck, [3, 4, 6, 3], (16, 16, 16, 24, 32), num_classes)
    if arch == "mobilenet_v2":
        # original: stem 32, c = 16,24,32,64,96,160,320, last 1280.  Stride-1 stage boundaries keep in != out
        # (so no residual appears / disappears).
        setting = [
            [1, 16, 1, 1],
            [6, 16, 2, 2],
            [6, 24, 3, 2],
            [6, 24, 4, 2],
            [6, 32, 3, 1],
            [6, 32, 3, 2],
            [6, 48, 1, 1],
        ]
        return NarrowMobileNetV2(24, setting, 128, num_classes)
    if arch == "mobilenet_v3_small":
        # torchvision's own InvertedResidualConfig/MobileNetV3 with explicit narrower widths.
        # (width_mult=0.5 would turn the 40->48 block into a 24->24 residual block, i.e. change
        # the topology; width_mult=0.75 is >2 MB.)  use_se / activation / stride / kernel as original.
        c = mobilenetv3.InvertedResidualConfig
        setting = [
            # in, k, exp, out, se, act, s, dil, width_mult     original (in, exp, out)
            c(16, 3, 16, 16, True, "RE", 2, 1, 1.0),  # 16, 16, 16
            c(16, 3, 40, 16, False, "RE", 2, 1, 1.0),  # 16, 72, 24
            c(16, 3, 48, 16, False, "RE", 1, 1, 1.0),  # 24, 88, 24
            c(16, 5, 64, 24, True, "HS", 2, 1, 1.0),  # 24, 96, 40
            c(24, 5, 96, 24, True, "HS", 1, 1, 1.0),  # 40, 240, 40
            c(24, 5, 96, 24, True, "HS", 1, 1, 1.0),  # 40, 240, 40
            c(24, 5, 64, 32, True, "HS", 1, 1, 1.0),  # 40, 120, 48
            c(32, 5, 80, 32, True, "HS", 1, 1, 1.0),  # 48, 144, 48
            c(32, 5, 120, 40, True, "HS", 2, 1, 1.0),  # 48, 288, 96
            c(40, 5, 160, 40, True, "HS", 1, 1, 1.0),  # 96, 576, 96
            c(40, 5, 160, 40, True, "HS", 1, 1, 1.0),  # 96, 576, 96
        ]
        # last conv 6*40 = 240 (original 576); classifier hidden 96 (original 1024)
        return mobilenetv3.MobileNetV3(setting, last_channel=96, num_classes=num_classes)
    if arch == "efficientnet_b0":
        # torchvision's own MBConvConfig/EfficientNet with explicit narrower widths, same depth
        # (expand ratio, kernel, stride, num_layers as b0).  Original in/out:
        # 32/16, 16/24, 24/40, 40/80, 80/112, 112/192, 192/320, last conv 1280 (here 4*40 = 160).
        # Stride-1 stage boundaries keep in != out, so residual connections are exactly as in b0.
        m = efficientnet.MBConvConfig
        setting = [
            m(1, 3, 1, 24, 16, 1),
            m(6, 3, 2, 16, 16, 2),
            m(6, 5, 2, 16, 16, 2),
            m(6, 3, 2, 16, 16, 3),
            m(6, 5, 1, 16, 24, 3),
            m(6, 5, 2, 24, 32, 4),
            m(6, 3, 1, 32, 40, 1),
        ]
        return efficientnet.EfficientNet(setting, dropout=0.2, num_classes=num_classes)
    if arch == "densenet121":
        # original growth 32, init 64, bn_size 4 (bottleneck 128); here bottleneck 2*8 = 16.
        # block_config (6, 12, 24, 16) kept; concat widths stay multiples of 8
        return densenet.DenseNet(
            growth_rate=8, block_config=(6, 12, 24, 16), num_init_features=16, bn_size=2, num_classes=num_classes
        )
    if arch == "vgg11_bn":
        # original cfg "A": 64,M,128,M,256,256,M,512,512,M,512,512,M ; classifier 4096
        cfg = [16, "M", 24, "M", 32, 32, "M", 40, 40, "M", 40, 40, "M"]
        return NarrowVGG(vgg.make_layers(cfg, batch_norm=True), 40, 32, num_classes)
    if arch == "squeezenet1_1":
        # original stem 64, Fire (squeeze, expand): (16,64)x2, (32,128)x2, (48,192)x2, (64,256)x2
        fires = [(16, 32), (16, 32), (16, 48), (16, 48), (16, 64), (16, 64), (24, 96), (24, 96)]
        return NarrowSqueezeNet(32, fires, num_classes)
    if arch == "resnext":
        # resnext50_32x4d: resnet50 with 32 groups of 4, 8, 16, 32 channels in its 3x3 convolutions (inner widths
        # 128..1024); here resnet50's small planes with 4 groups of 8, 8, 12, 16 (inner widths 32, 32, 48, 64)
        return NarrowResNet(resnet.Bottleneck, [3, 4, 6, 3], (16, 16, 16, 24, 32), num_classes, groups=4,
                            width_per_group=32)
    if arch == "regnet":
        # regnet_y_400mf: depths (1, 3, 6, 6), widths (48, 104, 208, 440), group width 8 (6, 13, 26 and 55 groups),
        # SE ratio 0.25, stem 32; here the same depths with 2, 3, 6 and 7 groups of 8 (odd counts as in the original)
        params = regnet.BlockParams(depths=[1, 3, 6, 6], widths=[16, 24, 48, 56], group_widths=[8, 8, 8, 8],
                                    bottleneck_multipliers=[1.0] * 4, strides=[2] * 4, se_ratio=0.25)
        return regnet.RegNet(params, num_classes=num_classes, stem_width=16)
    if arch == "vit":
        # vit_b_16: image 224, patch 16, 12 layers, 12 heads, hidden 768, mlp 3072
        return vision_transformer.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4,
                                                    hidden_dim=64, mlp_dim=128, num_classes=num_classes)
    if arch == "convnext":
        # convnext_tiny: stages (96,192,384,768) x (3,3,9,3); here two stages of one block each
        c = convnext.CNBlockConfig
        return convnext.ConvNeXt([c(16, 32, 1), c(32, None, 1)], stochastic_depth_prob=0.0, num_classes=num_classes)
    if arch == "swin":
        # swin_t: embed 96, depths (2,2,6,2), heads (3,6,12,24), window 7; here two stages, window 4
        return swin_transformer.SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4],
                                                window_size=[4, 4], stochastic_depth_prob=0.0,
                                                num_classes=num_classes)
    raise ValueError(arch)


def build_full(arch, num_classes=FULL_CLASSES):
    if arch in HUB_ARCHS:
        return hub_models.build(arch, "full", num_classes)
    name = TRANSFORMER_FULL.get(arch, GROUPED_FULL.get(arch, arch))
    return getattr(torchvision.models, name)(weights=None, num_classes=num_classes)


def build(arch, size):
    torch.manual_seed(MODEL_SEED)
    model = build_full(arch) if size == "full" else build_small(arch)
    randomize_params(model)
    model.eval()
    return model


def randomize_params(model):
    """Make BN a non-identity and give Conv/Linear biases distinct values.

    torchvision initialises all biases to 0.  torch 1.13's exporter de-duplicates identical
    initializers and wires the duplicates through ``Identity`` nodes (one zero bias shared by
    many Convs), an artifact that never occurs with trained weights; random biases avoid it.
    """
    g = torch.Generator().manual_seed(PARAM_SEED)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_((torch.rand(n, generator=g) - 0.5) * 0.5)
                m.running_mean.copy_((torch.rand(n, generator=g) - 0.5) * 0.5)
                m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            elif isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) - 0.5) * 0.2)
            elif isinstance(m, (nn.LayerNorm, convnext.LayerNorm2d)):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) - 0.5) * 0.5)
            elif isinstance(m, convnext.CNBlock):
                # torchvision starts every layer scale at 1e-6: the blocks would barely reach the output, and the
                # exporter would share the identical tensors through Identity nodes
                m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=g) * 0.5 + 0.25)
            elif isinstance(m, nn.MultiheadAttention):
                m.in_proj_bias.copy_((torch.rand(m.in_proj_bias.shape, generator=g) - 0.5) * 0.2)
        if isinstance(model, vision_transformer.VisionTransformer):
            # torchvision starts the class token and the head's weight at zero (the logits would not depend on the
            # input); trained ones are not
            model.class_token.copy_((torch.rand(model.class_token.shape, generator=g) - 0.5))
            head = model.heads.head.weight
            head.copy_((torch.rand(head.shape, generator=g) - 0.5) * 2 / head.shape[1] ** 0.5)


def count_bn_modules(model):
    return sum(1 for m in model.modules() if isinstance(m, nn.BatchNorm2d))


def input_hw(arch, size):
    return FULL_HW if size == "full" else SMALL_HW[arch]


def example_input(hw):
    g = torch.Generator().manual_seed(INPUT_SEED)
    return torch.randn(1, 3, hw, hw, generator=g)


def export_onnx(model, x, f, opset, bn):
    if bn in ("fold", "none"):
        training, fold = torch.onnx.TrainingMode.EVAL, True
    else:
        training, fold = torch.onnx.TrainingMode.PRESERVE, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            x,
            f,
            export_params=True,
            opset_version=opset,
            training=training,
            do_constant_folding=fold,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        )


def bn_fed_by_conv(model_proto):
    producer = {o: n.op_type for n in model_proto.graph.node for o in n.output}
    return sum(1 for n in model_proto.graph.node
               if n.op_type == "BatchNormalization" and producer.get(n.input[0]) == "Conv")


def op_counts(model_proto):
    return collections.Counter(n.op_type for n in model_proto.graph.node)


def fmt_ops(counts):
    return ",".join(f"{k}:{counts[k]}" for k in sorted(counts))


_TOPO_ATTRS = ("kernel_shape", "strides", "pads", "dilations", "ceil_mode", "auto_pad", "axis", "transB")


def topology(model_proto):
    """Width-independent graph signature, BatchNormalization and Constant nodes skipped.

    One entry per remaining node: (op_type, sources of its inputs, shape-independent attributes)
    where a source is the index of the producing node or "input" (constant inputs are dropped).
    """
    init = {i.name for i in model_proto.graph.initializer}
    graph_inputs = {i.name for i in model_proto.graph.input}
    node_of = {}
    for n in model_proto.graph.node:
        for o in n.output:
            node_of[o] = n
    kept = [n for n in model_proto.graph.node if n.op_type not in ("Constant", "BatchNormalization")]
    index = {id(n): i for i, n in enumerate(kept)}

    def source(name):
        while True:
            if name in init or name == "":
                return "const"
            if name in graph_inputs:
                return "input"
            n = node_of[name]
            if n.op_type == "Constant":
                return "const"
            if n.op_type == "BatchNormalization":
                name = n.input[0]
                continue
            return index[id(n)]

    sig = []
    for n in kept:
        attrs = tuple(sorted((a.name, str(onnx.helper.get_attribute_value(a)))
                             for a in n.attribute if a.name in _TOPO_ATTRS))
        # constant inputs (weights, biases) are left out: a folded Conv has a bias, a kept one not
        sig.append((n.op_type, tuple(s for s in map(source, n.input) if s != "const"), attrs))
    return sig


def file_name(arch, opset, bn):
    return f"{arch}-op{opset}.onnx" if bn == "none" else f"{arch}-op{opset}-bn{bn}.onnx"


def count_layernorm_modules(model):
    return sum(1 for m in model.modules() if isinstance(m, nn.LayerNorm))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", choices=["full", "small"], required=True)
    p.add_argument("--family", choices=list(FAMILIES), default="cnn",
                   help="cnn: the BatchNorm CNNs (default); transformer: ViT, ConvNeXt and Swin, "
                        "one file per opset, small ones into src/test/resources/models/transformers; grouped: "
                        "ResNeXt and RegNetY (grouped 3x3 convolutions), small ones into "
                        "src/test/resources/models/grouped; "
                        "hub: hub_models.py's fused-qkv ViT, DeiT and Mixer, like transformer, small ones into "
                        "src/test/resources/models/hub")
    p.add_argument("--arch", nargs="+", choices=ARCHS + TRANSFORMER_ARCHS + GROUPED_ARCHS + HUB_ARCHS,
                   help="subset of the family's architectures (default all)")
    p.add_argument("--opset", nargs="+", type=int, choices=OPSETS, default=OPSETS, help="subset of opsets")
    p.add_argument("--bn", nargs="+", choices=BN_MODES, default=BN_MODES, help="subset of BN modes")
    p.add_argument("--out", help="output directory (default: bench/models/out for full, "
                   "src/test/resources/models/{torchvision,transformers,hub} for small)")
    p.add_argument("--no-manifest", action="store_true", help="small only: do not update manifest.json")
    p.add_argument("--check-topology", action="store_true",
                   help="small only: also export the full model in memory and require the same graph "
                        "topology (ops, edges, kernel/stride/pad attributes; BN ignored)")
    args = p.parse_args(argv)
    family_archs = FAMILIES[args.family]
    args.arch = args.arch or family_archs
    if any(a not in family_archs for a in args.arch):
        p.error(f"--family {args.family} has the architectures {', '.join(family_archs)}")
    if args.family != "cnn":
        args.bn = ["none"]  # no BatchNorm to fold or keep
    return args


def main(argv=None):
    args = parse_args(argv)
    default_out = FAMILY_OUT[args.family]
    out_dir = os.path.abspath(args.out or default_out[args.size])
    os.makedirs(out_dir, exist_ok=True)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}")
    print(f"size={args.size} out={out_dir}")

    t_start = time.time()
    entries = []
    failures = []
    for arch in args.arch:
        model = build(arch, args.size)
        hw = input_hw(arch, args.size)
        x = example_input(hw)
        with torch.no_grad():
            y = model(x)
        n_bn = count_bn_modules(model)
        n_ln = count_layernorm_modules(model)
        nparams = sum(p.numel() for p in model.parameters())
        print(f"# {arch}: params={nparams} bn_modules={n_bn} input=[1,3,{hw},{hw}] "
              f"output={list(y.shape)} |logits|max={y.abs().max().item():.4g}")
        if not torch.isfinite(y).all():
            failures.append(f"{arch}: non-finite logits")
        full_seq = {}
        for opset in args.opset:
            if args.check_topology and args.size == "small":
                buf = io.BytesIO()
                export_onnx(build(arch, "full"), example_input(FULL_HW), buf, opset, "fold")
                full_seq[opset] = topology(onnx.load_from_string(buf.getvalue()))
                del buf
            for bn in args.bn:
                name = file_name(arch, opset, bn)
                path = os.path.join(out_dir, name)
                t0 = time.time()
                try:
                    export_onnx(model, x, path, opset, bn)
                except Exception as e:  # report and continue with the other combinations
                    failures.append(f"{name}: export failed: {type(e).__name__}: {e}")
                    print(f"FAILED {name}: {type(e).__name__}: {e}")
                    continue
                proto = onnx.load(path)
                # check the loaded proto, not the path: onnx 1.12's check_model(path, full_check=True)
                # writes the shape-inferred model (with value_info) back into the file.
                onnx.checker.check_model(proto, full_check=True)
                counts = op_counts(proto)
                size = os.path.getsize(path)
                n_bn_nodes = counts.get("BatchNormalization", 0)
                n_ln_nodes = counts.get("LayerNormalization", 0)
                if bn == "none" and n_ln_nodes != (n_ln if opset >= 17 else 0):
                    failures.append(f"{name}: {n_ln_nodes} LayerNormalization nodes for {n_ln} nn.LayerNorm "
                                    f"(expected all of them at opset 17 and none, decomposed, at 13)")
                if bn == "keep" and n_bn_nodes != n_bn:
                    failures.append(f"{name}: {n_bn_nodes} BatchNormalization nodes, expected {n_bn}")
                if bn == "fold":
                    # torch folds BN only into a directly preceding Conv; pre-activation BNs
                    # (DenseNet's norm1/transition norm/norm5: BN->ReLU->Conv) stay.
                    conv_fed = bn_fed_by_conv(proto)
                    if conv_fed:
                        failures.append(f"{name}: {conv_fed} foldable BatchNormalization nodes not folded")
                if counts.get("Identity", 0):
                    failures.append(f"{name}: {counts['Identity']} Identity nodes")
                if opset in full_seq and args.size == "small":
                    seq = topology(proto)
                    if seq != full_seq[opset]:
                        diff = next(i for i, (a, b) in enumerate(zip(seq + [None], full_seq[opset] + [None])) if a != b)
                        failures.append(f"{name}: topology differs from full {arch} (opset {opset}) at node {diff}")
                    else:
                        print(f"  topology OK: same {len(seq)}-node graph (ops, edges, kernels/strides/pads; "
                              f"BN ignored) as full {arch} opset {opset}")
                print(f"{name}  {size} bytes  nodes={len(proto.graph.node)}  bn_nodes={n_bn_nodes}  "
                      f"({time.time() - t0:.1f}s)  ops={fmt_ops(counts)}")
                entries.append({
                    "file": name,
                    "arch": arch,
                    "opset": opset,
                    "bn": bn,
                    "input_shape": [1, 3, hw, hw],
                    "output_shape": [1, int(y.shape[1])],
                    "batchnorm_nodes": n_bn_nodes,
                    "size_bytes": size,
                })
                if bn == "none":
                    entries[-1]["layernorm_nodes"] = n_ln_nodes

    total = sum(e["size_bytes"] for e in entries)
    print(f"wrote {len(entries)} files, total {total} bytes ({total / 1e6:.2f} MB) in {time.time() - t_start:.1f}s")

    if args.size == "small" and not args.no_manifest:
        write_manifest(out_dir, entries)

    if failures:
        print("PROBLEMS:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


def write_manifest(out_dir, entries):
    """Merge into an existing manifest so that subset runs do not drop other entries."""
    path = os.path.join(out_dir, "manifest.json")
    by_file = {}
    if os.path.exists(path):
        with open(path) as fh:
            for e in json.load(fh):
                by_file[e["file"]] = e
    for e in entries:
        by_file[e["file"]] = e
    order = {a: i for i, a in enumerate(ARCHS + TRANSFORMER_ARCHS + GROUPED_ARCHS + HUB_ARCHS)}
    merged = sorted(by_file.values(), key=lambda e: (order.get(e["arch"], 99), e["arch"], e["opset"], e["bn"]))
    with open(path, "w") as fh:  # one entry per line: readable, diff-friendly, plain JSON array
        fh.write("[\n" + ",\n".join("  " + json.dumps(e) for e in merged) + "\n]\n")
    print(f"manifest: {path} ({len(merged)} entries)")


if __name__ == "__main__":
    sys.exit(main())
