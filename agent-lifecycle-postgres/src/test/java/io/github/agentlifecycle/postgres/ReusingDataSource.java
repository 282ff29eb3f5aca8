package io.github.agentlifecycle.postgres;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Keeps the connections it opened and hands them out again once closed, as a connection pool does, so that a
 * measurement leaves out the cost of connecting. Thread-safe; {@link #closeAll()} closes the connections.
 */
final class ReusingDataSource implements DataSource, AutoCloseable {
    private final DataSource target;
    private final BlockingQueue<Connection> idle = new LinkedBlockingQueue<>();
    private final List<Connection> opened = new CopyOnWriteArrayList<>();

    ReusingDataSource(DataSource target) {
        this.target = target;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection physical = idle.poll();
        while (physical != null && physical.isClosed()) {
            physical = idle.poll();
        }
        if (physical == null) {
            physical = target.getConnection();
            opened.add(physical);
        }
        Connection borrowed = physical;
        AtomicBoolean returned = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, arguments) -> {
                    switch (method.getName()) {
                        case "close":
                            if (returned.compareAndSet(false, true)) {
                                idle.add(borrowed);
                            }
                            return null;
                        case "isClosed":
                            return returned.get() || borrowed.isClosed();
                        default:
                            try {
                                return method.invoke(borrowed, arguments);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLException("not supported");
    }

    /** Closes every connection opened. */
    void closeAll() {
        for (Connection connection : opened) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Closing is best effort.
            }
        }
    }

    @Override
    public void close() {
        closeAll();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return target.isWrapperFor(type);
    }
}
