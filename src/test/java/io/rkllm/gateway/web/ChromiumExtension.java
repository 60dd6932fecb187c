package io.rkllm.gateway.web;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives browser tests the run's one {@link Browser}, started on first use and closed when the run ends; skips them,
 * saying why, on a machine without Chromium ({@code .ci/run} installs it).
 */
final class ChromiumExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Browser.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Assumptions.assumeTrue(Browser.installed(), () -> "No Chromium here (" + Browser.CHROMIUM + " and "
                + Browser.CHROMEDRIVER + "): the browser tests are skipped; apt-get install chromium chromium-driver");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Browser.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(Browser.class, (key) -> Browser.start(),
                Browser.class);
    }

}
