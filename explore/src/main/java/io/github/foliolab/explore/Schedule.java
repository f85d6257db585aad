package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * Schedules as short strings: the CPU chosen at each branching decision (A, B, ...), run-length encoded
 * ({@code A3} is A, A, A), up to the last decision that differs from the non-preemptive default (keep
 * running the current CPU, else the lowest that can run). Every later decision takes the default, so
 * {@code B2A} is a complete schedule. The all-default schedule is {@code -}.
 */
public final class Schedule {
    private Schedule() {}

    static String encode(int[] choices, int[] defaults, int n) {
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (choices[i] != defaults[i]) last = i;
        }
        if (last < 0) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i <= last) {
            int c = choices[i];
            int j = i;
            while (j <= last && choices[j] == c) j++;
            sb.append(Trace.cpuName(c));
            if (j - i > 1) sb.append(j - i);
            i = j;
        }
        return sb.toString();
    }

    /**
     * {@return the choices a schedule string names; IllegalArgumentException if it is malformed}
     *
     * @param s a schedule string
     */
    public static int[] decode(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("empty schedule (the default schedule is \"-\")");
        }
        if (s.equals("-")) {
            return new int[0];
        }
        List<Integer> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i++);
            if (ch < 'A' || ch >= 'A' + Engine.MAX_CPUS) {
                throw new IllegalArgumentException("bad schedule \"" + s + "\": expected a CPU letter A.."
                        + (char) ('A' + Engine.MAX_CPUS - 1) + " at position " + (i - 1));
            }
            int j = i;
            while (j < s.length() && Character.isDigit(s.charAt(j))) j++;
            int count = j > i ? Integer.parseInt(s.substring(i, j)) : 1;
            if (count < 1 || count > 1_000_000) {
                throw new IllegalArgumentException("bad schedule \"" + s + "\": repeat count " + count);
            }
            for (int k = 0; k < count; k++) out.add(ch - 'A');
            i = j;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
