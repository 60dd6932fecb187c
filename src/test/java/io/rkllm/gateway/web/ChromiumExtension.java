package io.rkllm.gateway.web;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives browser tests the run's one {@link Browser}, started on first use and closed when the run ends; skips them,
 * saying why, on a machine without Chromium ({@code .ci/run} installs it).
 */
final class ChromiumExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Browser.class);

    private static final Logger logger = LoggerFactory.getLogger(ChromiumExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!Browser.installed()) {
            String reason = "No Chromium here (" + Browser.CHROMIUM + " and " + Browser.CHROMEDRIVER + "): "
                    + context.getDisplayName() + " skipped; apt-get install chromium chromium-driver";
            // A skipped class shows as "Tests run: 0" in Maven's output: say why where it is read.
            logger.warn(reason);
            Assumptions.abort(reason);
        }
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
