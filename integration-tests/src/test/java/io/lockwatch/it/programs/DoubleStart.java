package io.lockwatch.it.programs;

/**
 * Starts the thread "worker" (a Thread subclass) a second time, catches the IllegalThreadStateException
 * and says on stdout what it caught, including whether any lockwatch frame is in its stack. Then it hangs.
 */
public final class DoubleStart {
    static final class Worker extends Thread {
        Worker() {
            super("worker");
        }

        @Override
        public void run() {
            System.out.println("worker ran");
        }
    }

    public static void main(String[] args) throws Exception {
        Worker worker = new Worker();
        worker.start();
        worker.join();
        try {
            worker.start();
            System.out.println("no exception");
        } catch (IllegalThreadStateException e) {
            int ours = 0;
            for (StackTraceElement frame : e.getStackTrace()) {
                if (frame.getClassName().startsWith("io.lockwatch.runtime")) ours++;
            }
            String caller = "";
            for (StackTraceElement frame : e.getStackTrace()) {
                if (!frame.getClassName().equals("java.lang.Thread")) {
                    caller = frame.getClassName() + "." + frame.getMethodName();
                    break;
                }
            }
            System.out.println("caught " + e.getClass().getName() + " thrown to " + caller + ", lockwatch frames: " + ours);
        }
        Hang.forever();
    }
}
