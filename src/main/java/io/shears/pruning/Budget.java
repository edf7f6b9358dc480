package io.shears.pruning;

/** A compute target: absolute MACs, absolute FLOPs (= 2 × MACs), or a fraction of the original MACs. */
public sealed interface Budget {
    /** The one of {@code macs}, {@code flops} or {@code fraction} that is given, as a job spec and the CLI take it. */
    static Budget of(Long macs, Long flops, Double fraction) {
        if (macs != null) {
            return new Macs(macs);
        }
        if (flops != null) {
            return new Flops(flops);
        }
        if (fraction != null) {
            return new Fraction(fraction);
        }
        throw new InvalidPruningOptionsException("give a target: MACs, FLOPs or a fraction");
    }

    long targetMacs(long originalMacs);

    String describe();

    record Macs(long macs) implements Budget {
        public Macs {
            if (macs <= 0) {
                throw new InvalidPruningOptionsException("target MACs must be positive, got " + macs);
            }
        }

        public long targetMacs(long originalMacs) {
            return macs;
        }

        public String describe() {
            return "macs=" + macs;
        }
    }

    record Flops(long flops) implements Budget {
        public Flops {
            if (flops <= 0) {
                throw new InvalidPruningOptionsException("target FLOPs must be positive, got " + flops);
            }
        }

        public long targetMacs(long originalMacs) {
            return flops / 2;
        }

        public String describe() {
            return "flops=" + flops;
        }
    }

    record Fraction(double fraction) implements Budget {
        public Fraction {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new InvalidPruningOptionsException("target fraction must be in (0, 1], got " + fraction);
            }
        }

        public long targetMacs(long originalMacs) {
            return (long) Math.floor(originalMacs * fraction);
        }

        public String describe() {
            return "fraction=" + fraction;
        }
    }
}
