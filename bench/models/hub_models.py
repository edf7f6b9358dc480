"""Vision transformers written the way the popular model hubs (timm, DeiT, MLP-Mixer) write them, in plain torch.nn.

torchvision's ViT runs attention through ``nn.MultiheadAttention``; the hubs write it out by hand, and their exports
look different: one fused ``qkv`` Linear whose output is reshaped to ``(B, N, 3, heads, head_dim)`` and permuted to
``(3, B, heads, N, head_dim)``, attention as two activation-by-activation MatMuls around a Softmax, and the heads
merged back by ``transpose(1, 2).reshape(B, N, C)`` before the output projection. ``HubViT`` is that layout
(q, k, v by ``unbind``, as timm writes it today); ``HubViT(distilled=True)`` is DeiT's, which adds a distillation
token and a second head and averages the two heads' logits (q, k, v by indexing ``qkv[0]``, ``qkv[1]``, ``qkv[2]``,
as the DeiT code did); ``Mixer`` is MLP-Mixer: a token-mixing MLP over the transposed tokens and a channel-mixing
MLP, no attention.

Every width is a constructor argument, so that the same code builds the small test fixtures and the full-size
benchmark models (``build(arch, size)``). Parameters are initialised by torch's defaults, except the tokens and the position
embedding, which are drawn from N(0, 0.02²) as timm draws them (a zero token would make the class token carry no
information of its own). Call ``torch.manual_seed`` before building for reproducible weights.
"""

import torch
import torch.nn as nn

ARCHS = ["hubvit", "deit", "mixer"]


class PatchEmbed(nn.Module):
    """A strided Conv over non-overlapping patches, flattened to ``(B, tokens, dim)``."""

    def __init__(self, image_size, patch_size, dim):
        super().__init__()
        self.num_patches = (image_size // patch_size) ** 2
        self.proj = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Attention(nn.Module):
    """timm's attention: one fused qkv projection, heads split by reshape and permute."""

    def __init__(self, dim, heads, unbind):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.unbind = unbind
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        if self.unbind:
            q, k, v = qkv.unbind(0)
        else:
            q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_hidden, unbind):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, unbind)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, mlp_hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class HubViT(nn.Module):
    """timm's VisionTransformer (class token, learned position embedding, pre-norm blocks, head on the class token);
    with ``distilled``, DeiT's DistilledVisionTransformer (a distillation token after the class token, a second head
    on it, the two heads' logits averaged as DeiT does at inference)."""

    def __init__(self, image_size, patch_size, dim, depth, heads, mlp_hidden, num_classes, distilled=False):
        super().__init__()
        self.distilled = distilled
        self.patch_embed = PatchEmbed(image_size, patch_size, dim)
        tokens = 2 if distilled else 1
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.dist_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02) if distilled else None
        self.pos_embed = nn.Parameter(torch.randn(1, self.patch_embed.num_patches + tokens, dim) * 0.02)
        # timm's ViT splits q, k, v by unbind; DeiT's original code by indexing
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_hidden, unbind=not distilled) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)
        self.head_dist = nn.Linear(dim, num_classes) if distilled else None

    def forward(self, x):
        x = self.patch_embed(x)
        tokens = [self.cls_token.expand(x.shape[0], -1, -1)]
        if self.distilled:
            tokens.append(self.dist_token.expand(x.shape[0], -1, -1))
        x = torch.cat(tokens + [x], dim=1)
        x = x + self.pos_embed
        x = self.norm(self.blocks(x))
        if self.distilled:
            return (self.head(x[:, 0]) + self.head_dist(x[:, 1])) / 2
        return self.head(x[:, 0])


class MixerBlock(nn.Module):
    """Token mixing (the tokens put last, an MLP over them, put back) then channel mixing, each pre-norm, residual."""

    def __init__(self, dim, tokens, token_hidden, channel_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_tokens = Mlp(tokens, token_hidden)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_channels = Mlp(dim, channel_hidden)

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.mlp_channels(self.norm2(x))


class Mixer(nn.Module):
    """timm's MlpMixer: patch embedding, mixer blocks, LayerNorm, mean over the tokens, head."""

    def __init__(self, image_size, patch_size, dim, depth, token_hidden, channel_hidden, num_classes):
        super().__init__()
        self.stem = PatchEmbed(image_size, patch_size, dim)
        tokens = self.stem.num_patches
        self.blocks = nn.Sequential(*[MixerBlock(dim, tokens, token_hidden, channel_hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.norm(self.blocks(self.stem(x)))
        return self.head(x.mean(dim=1))


# Constructor arguments per size. small: 32x32 input, every width a multiple of 8 and, within a model, the widths that
# different rules act on differ (a rule that took the token count for a channel width would not go unnoticed): the
# ViTs have 16 patches + class token (+ distillation token) and 4 heads of 16, like the torchvision vit fixture; the
# Mixer has 64 tokens (patch 4), stream 32, token-mixing hidden 48, channel-mixing hidden 256 and 3 blocks, so that
# one step of round-to 8 in any hidden width (2 x 64 x 32 x 8 MACs) is under 2% of half its MACs.  full: 224x224,
# the published base sizes, ViT-B/16 and DeiT-B (768 wide, 12 blocks of 12 heads, MLP 3072) and Mixer-B/16 (768 wide,
# 12 blocks, token-mixing 384, channel-mixing 3072).
VIT_SIZES = {
    "small": dict(image_size=32, patch_size=8, dim=64, depth=2, heads=4, mlp_hidden=128),
    "full": dict(image_size=224, patch_size=16, dim=768, depth=12, heads=12, mlp_hidden=3072),
}
MIXER_SIZES = {
    "small": dict(image_size=32, patch_size=4, dim=32, depth=3, token_hidden=48, channel_hidden=256),
    "full": dict(image_size=224, patch_size=16, dim=768, depth=12, token_hidden=384, channel_hidden=3072),
}


def build(arch, size, num_classes):
    """``arch`` in ARCHS, ``size`` "small" or "full"."""
    if arch in ("hubvit", "deit"):
        return HubViT(**VIT_SIZES[size], num_classes=num_classes, distilled=arch == "deit")
    if arch == "mixer":
        return Mixer(**MIXER_SIZES[size], num_classes=num_classes)
    raise ValueError(arch)
