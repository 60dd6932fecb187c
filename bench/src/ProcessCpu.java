import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time, user plus system, as {@code /proc/<pid>/stat} counts it: every thread's, those that have
 * ended included (the simulator's thread of each run), in clock ticks ({@code getconf CLK_TCK}, 100 on Linux), so a
 * figure over a few seconds is as exact as one tick.
 */
final class ProcessCpu {

    private final Path stat;

    private final double msPerTick;

    ProcessCpu(long pid) throws Exception {
        this.stat = Path.of("/proc/" + pid + "/stat");
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
        this.msPerTick = 1000.0 / Long.parseLong(new String(getconf.getInputStream().readAllBytes()).trim());
        getconf.waitFor();
    }

    /** The CPU time the process has used so far, in ms. */
    double ms() throws Exception {
        String line = Files.readString(this.stat);
        // The fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14.
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * this.msPerTick;
    }

}
