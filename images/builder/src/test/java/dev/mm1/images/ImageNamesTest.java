package dev.mm1.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageNamesTest {
  @Test
  void everyImageIsRegistrySlashNameColonTag() {
    var names = new ImageNames("ghcr.io/mm1-platform/", "0.1.0");

    assertThat(ImageNames.ALL).containsExactly("mm1", "mm1-operator", "mm1-control-plane");
    assertThat(names.reference(ImageNames.MM1)).isEqualTo("ghcr.io/mm1-platform/mm1:0.1.0");
    assertThat(names.reference(ImageNames.CONTROL_PLANE)).isEqualTo("ghcr.io/mm1-platform/mm1-control-plane:0.1.0");
    assertThat(names.cuda().reference(ImageNames.MM1)).isEqualTo("ghcr.io/mm1-platform/mm1:0.1.0-cuda");
    assertThat(names.inRegistry("localhost:5000/team").reference(ImageNames.OPERATOR))
        .isEqualTo("localhost:5000/team/mm1-operator:0.1.0");
  }

  @Test
  void aBadTagOrRegistryNamesTheSetting() {
    assertThatThrownBy(() -> new ImageNames("ghcr.io/mm1-platform", "-1"))
        .hasMessageContaining("the image tag '-1' is not a valid tag").hasMessageContaining("mm1.image.tag");
    assertThatThrownBy(() -> new ImageNames("ghcr.io/MM1 Platform", "0.1.0"))
        .hasMessageContaining("the image registry 'ghcr.io/MM1 Platform' does not make valid image names");
    assertThatThrownBy(() -> new ImageNames("", "0.1.0")).hasMessageContaining("mm1.image.registry");
  }
}
